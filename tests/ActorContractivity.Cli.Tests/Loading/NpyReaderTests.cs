using ActorContractivity.Cli.Loading;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>.npy files written byte by byte: every layout that must read, every defect that must be refused.</summary>
public sealed class NpyReaderTests : IDisposable
{
    private static readonly double[,] Sample = { { 1.5, -2, 0.25 }, { 4, 5.125, -6 } };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[,] AsFloat32(double[,] m)
    {
        var f = new float[m.GetLength(0), m.GetLength(1)];
        for (var i = 0; i < m.GetLength(0); i++)
        {
            for (var j = 0; j < m.GetLength(1); j++)
            {
                f[i, j] = (float)m[i, j];
            }
        }

        return f;
    }

    private static void AssertEntries(double[,] expected, Matrix actual)
    {
        Assert.Equal(expected.GetLength(0), actual.Rows);
        Assert.Equal(expected.GetLength(1), actual.Cols);
        for (var i = 0; i < actual.Rows; i++)
        {
            for (var j = 0; j < actual.Cols; j++)
            {
                Assert.Equal(expected[i, j], actual[i, j]);
            }
        }
    }

    private string Write(byte[] bytes, string name = "A.npy") => _dir.Write(name, bytes);

    [Fact]
    public void C_ordered_float64_npy_reads_entries_in_row_major_order()
    {
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float64(Sample))));
    }

    [Fact]
    public void Fortran_ordered_float64_npy_reads_the_same_matrix_as_c_ordered()
    {
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float64(Sample, fortranOrder: true))));
    }

    [Fact]
    public void Fortran_ordered_float32_npy_reads_the_same_matrix_as_c_ordered_float64()
    {
        var c64 = NpyReader.Read(Write(NpyBytes.Float64(Sample), "c64.npy"));
        var f32 = NpyReader.Read(Write(NpyBytes.Float32(AsFloat32(Sample), fortranOrder: true), "f32.npy"));
        Assert.Equal(c64.ToRows(), f32.ToRows());
    }

    [Fact]
    public void Float32_entries_are_widened_exactly()
    {
        var m = NpyReader.Read(Write(NpyBytes.Float32(new[,] { { 0.1f } })));
        Assert.Equal((double)0.1f, m[0, 0]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Version_2_and_3_files_with_a_u32_header_length_read_like_version_1(int major)
    {
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float64(Sample, major: major))));
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float32(AsFloat32(Sample), true, major: major))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Big_endian_float64_and_float32_are_byte_swapped(bool fortranOrder)
    {
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float64(Sample, fortranOrder, '>'), "b8.npy")));
        AssertEntries(Sample,
            NpyReader.Read(Write(NpyBytes.Float32(AsFloat32(Sample), fortranOrder, '>'), "b4.npy")));
    }

    [Theory]
    [InlineData('=')]
    [InlineData('|')]
    public void Native_and_not_applicable_byte_orders_read_in_the_machine_byte_order(char byteOrder)
    {
        Assert.True(BitConverter.IsLittleEndian, "the test writes little-endian data for the native order");
        AssertEntries(Sample, NpyReader.Read(Write(NpyBytes.Float64(Sample, byteOrder: byteOrder), "n8.npy")));
        AssertEntries(Sample,
            NpyReader.Read(Write(NpyBytes.Float32(AsFloat32(Sample), byteOrder: byteOrder), "n4.npy")));
    }

    [Fact]
    public void Header_keys_in_any_order_with_double_quotes_and_no_trailing_comma_are_accepted()
    {
        var data = NpyBytes.Float64(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } })[^32..];
        var bytes = NpyBytes.Raw("{\"shape\": ( 2 ,2 ), \"fortran_order\": True, \"descr\": \"<f8\"}", data);
        AssertEntries(new[,] { { 1.0, 3.0 }, { 2.0, 4.0 } }, NpyReader.Read(Write(bytes)));
    }

    [Theory]
    [InlineData("<i4")]
    [InlineData("<i8")]
    [InlineData("<f2")]
    [InlineData("<c16")]
    [InlineData("|O")]
    [InlineData("|b1")]
    [InlineData("<U5")]
    [InlineData("<f16")]
    public void Unsupported_dtype_is_refused_naming_the_dtype_and_the_supported_ones(string descr)
    {
        var path = Write(NpyBytes.File(descr, false, "(2, 2)", new byte[64]));
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: dtype '{descr}' is not supported (float32 '<f4' or float64 '<f8' only)");
    }

    [Fact]
    public void Structured_dtype_is_refused()
    {
        var path = Write(NpyBytes.Raw(
            "{'descr': [('x', '<f8'), ('y', '<f8')], 'fortran_order': False, 'shape': (2,), }", new byte[32]));
        InputAssert.Throws(() => NpyReader.Read(path), path, "structured dtypes are not supported");
    }

    [Fact]
    public void A_file_without_the_npy_magic_is_refused()
    {
        var path = _dir.Write("A.npy", "1,2\n3,4\n");
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: not a NumPy .npy file", "\\x93NUMPY");
    }

    [Fact]
    public void An_empty_file_is_refused_as_not_npy()
    {
        var path = Write([]);
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: not a NumPy .npy file");
    }

    [Fact]
    public void A_file_ending_inside_the_header_is_refused_as_truncated()
    {
        var path = Write(NpyBytes.Float64(Sample)[..40]);
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: truncated: the file ends inside the .npy header");
    }

    [Fact]
    public void A_file_ending_inside_the_length_field_is_refused_as_truncated()
    {
        var path = Write(NpyBytes.Float64(Sample, major: 2)[..11]);
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: truncated");
    }

    [Fact]
    public void Truncated_data_is_refused_with_the_bytes_needed_and_held()
    {
        var path = Write(NpyBytes.Float64(Sample)[..^8]);
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: truncated: shape (2, 3) of float64 needs 48 bytes of data but the file holds 40");
    }

    [Fact]
    public void Bytes_after_the_data_are_refused_because_the_header_does_not_match()
    {
        var path = Write([.. NpyBytes.Float32(AsFloat32(Sample)), 0, 0, 0, 0]);
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: the file holds 28 bytes of data but shape (2, 3) of float32 needs 24");
    }

    [Theory]
    [InlineData("(2, 3, 4)", "3-D")]
    [InlineData("(1, 1, 1)", "3-D")]
    [InlineData("(4,)", "1-D")]
    [InlineData("(1,)", "1-D")]
    [InlineData("()", "0-D")]
    public void Shapes_other_than_2d_are_refused_because_a_layer_is_a_matrix(string shape, string dims)
    {
        var path = Write(NpyBytes.File("<f8", false, shape, new byte[8 * 24]));
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: shape {shape} is {dims}; a layer must be a 2-D matrix");
    }

    [Theory]
    [InlineData("(0, 3)")]
    [InlineData("(3, 0)")]
    public void A_zero_size_dimension_is_refused(string shape)
    {
        var path = Write(NpyBytes.File("<f8", false, shape, []));
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: shape {shape} has a zero-size dimension");
    }

    [Theory]
    [InlineData(double.NaN, "NaN is not allowed")]
    [InlineData(double.PositiveInfinity, "infinity is not allowed")]
    [InlineData(double.NegativeInfinity, "-infinity is not allowed")]
    public void A_non_finite_float64_entry_is_refused_naming_its_1_based_row_and_column(double bad, string problem)
    {
        var m = (double[,])Sample.Clone();
        m[1, 2] = bad;
        foreach (var fortranOrder in new[] { false, true })
        {
            var path = Write(NpyBytes.Float64(m, fortranOrder));
            InputAssert.Throws(() => NpyReader.Read(path), $"{path}: row 2, column 3 (1-based): {problem}");
        }
    }

    [Fact]
    public void A_nan_float32_entry_in_a_fortran_ordered_file_is_named_by_its_matrix_position()
    {
        var m = AsFloat32(Sample);
        m[0, 1] = float.NaN;
        var path = Write(NpyBytes.Float32(m, fortranOrder: true));
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: row 1, column 2 (1-based): NaN is not allowed; weights must be finite numbers");
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Unknown_format_versions_are_refused(int major, int minor)
    {
        var path = Write(NpyBytes.Raw("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }",
            new byte[8], major, minor));
        InputAssert.Throws(() => NpyReader.Read(path),
            $"{path}: .npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 only)");
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False}", "the key 'shape' is missing")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), 'extra': 1}",
        "unexpected key \"extra\"")]
    [InlineData("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 1)}",
        "the key \"descr\" appears twice")]
    [InlineData("{'descr': '<f8', 'fortran_order': 0, 'shape': (1, 1)}",
        "'fortran_order' must be True or False")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, -1)}", "'shape' has a negative dimension")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': ('1', 1)}", "'shape' must be a tuple of integers")]
    [InlineData("{'descr': 8, 'fortran_order': False, 'shape': (1, 1)}", "'descr' must be a dtype string")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1)", "expected '}' at the end")]
    [InlineData("descr: <f8", "expected '{' at character 1")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1)} junk", "unexpected text after")]
    [InlineData("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 1)}", "expected a value at character")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 1)}",
        "\"99999999999999999999\" is not a valid integer at character")]
    public void Malformed_headers_are_refused_naming_the_problem(string header, string problem)
    {
        var path = Write(NpyBytes.Raw(header, new byte[8]));
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: malformed .npy header: {problem}");
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        var path = Path.Combine(_dir.Path, "absent.npy");
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: file not found");
    }

    [Fact]
    public void A_directory_is_refused()
    {
        var path = Path.Combine(_dir.Path, "dir.npy");
        Directory.CreateDirectory(path);
        InputAssert.Throws(() => NpyReader.Read(path), $"{path}: is a directory, not a file");
    }
}
