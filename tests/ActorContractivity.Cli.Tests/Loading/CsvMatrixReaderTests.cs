using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>CSV matrices: accepted spellings and layouts, and the refusals with their one-line messages.</summary>
public sealed class CsvMatrixReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string text) => _dir.Write("W.csv", text);

    [Fact]
    public void Comma_separated_rows_read_in_order()
    {
        var m = CsvMatrixReader.Read(Write("1,2,3\n4,5,6\n"));
        Assert.Equal([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], m.ToRows());
    }

    [Fact]
    public void Spaces_and_tabs_around_values_are_ignored()
    {
        var m = CsvMatrixReader.Read(Write("  1 ,\t2\t, 3\n4,  5  ,6   \n"));
        Assert.Equal([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], m.ToRows());
    }

    [Theory]
    [InlineData("1,2\r\n3,4\r\n")]
    [InlineData("1,2\n3,4\n")]
    [InlineData("1,2\n3,4")]
    [InlineData("1,2\r\n3,4\r\n\r\n\r\n")]
    [InlineData("1,2\n3,4\n\n  \n\t\n")]
    public void Crlf_and_lf_line_endings_and_trailing_blank_lines_read_the_same_matrix(string text)
    {
        Assert.Equal([[1.0, 2.0], [3.0, 4.0]], CsvMatrixReader.Read(Write(text)).ToRows());
    }

    [Fact]
    public void Scientific_notation_explicit_signs_and_a_bare_decimal_point_are_accepted()
    {
        var m = CsvMatrixReader.Read(Write("1e-3,-2.5E+2\n+3,.5\n"));
        Assert.Equal([[1e-3, -250.0], [3.0, 0.5]], m.ToRows());
    }

    [Fact]
    public void Full_precision_doubles_round_trip_exactly()
    {
        var m = CsvMatrixReader.Read(
            Write("-1.7344595030057395,0.34811587682264367\n5e-324,1.7976931348623157E+308\n"));
        Assert.Equal(-1.7344595030057395, m[0, 0]);
        Assert.Equal(0.34811587682264367, m[0, 1]);
        Assert.Equal(double.Epsilon, m[1, 0]);
        Assert.Equal(double.MaxValue, m[1, 1]);
    }

    [Fact]
    public void Quoted_values_are_unquoted()
    {
        Assert.Equal([[1.5, 2.0]], CsvMatrixReader.Read(Write("\"1.5\", \"2\"\n")).ToRows());
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        var path = _dir.Write("W.csv", [0xEF, 0xBB, 0xBF, .. "7,8\n9,10\n"u8]);
        Assert.Equal([[7.0, 8.0], [9.0, 10.0]], CsvMatrixReader.Read(path).ToRows());
    }

    [Fact]
    public void A_single_value_is_a_one_by_one_matrix()
    {
        Assert.Equal([[-0.5]], CsvMatrixReader.Read(Write("-0.5\n")).ToRows());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("  \r\n\t\r\n")]
    public void An_empty_csv_is_refused(string text)
    {
        var path = Write(text);
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: the file is empty; expected rows of comma-separated numbers");
    }

    [Fact]
    public void A_short_row_is_refused_naming_the_row_and_both_counts()
    {
        var path = Write("1,2,3\n4,5,6\n7,8\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 3 has 2 values but row 1 has 3; every row needs the same number of values");
    }

    [Fact]
    public void A_long_row_is_refused_naming_the_row_and_both_counts()
    {
        var path = Write("1,2\n3,4,5\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path), $"{path}: row 2 has 3 values but row 1 has 2");
    }

    [Fact]
    public void A_non_numeric_value_is_refused_naming_row_column_and_text()
    {
        var path = Write("1,2,3\n4,5,abc\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 2, column 3 (1-based): \"abc\" is not a number");
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("1e")]
    [InlineData("a\"b")]
    public void Text_that_is_not_an_invariant_culture_number_is_refused(string value)
    {
        var path = Write($"0,\"{value.Replace("\"", "\"\"")}\"\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 1, column 2 (1-based): ", "is not a number");
    }

    [Fact]
    public void A_nul_byte_inside_a_value_is_refused_although_dotnet_would_parse_around_it()
    {
        var path = Write("1,2\n3,4\0\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 2, column 2 (1-based): the value contains a NUL byte; expected a number");
    }

    [Fact]
    public void A_binary_or_endless_file_stops_at_the_first_overlong_value()
    {
        var path = Write("1,2\n" + new string('\0', 5000));
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 2: a value runs past 1000 characters; expected rows of comma-separated numbers");
    }

    [Fact]
    public void An_empty_value_is_refused_naming_its_position()
    {
        var path = Write("1,2,\n3,4,5\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path), $"{path}: row 1, column 3 (1-based): the value is empty");
    }

    [Theory]
    [InlineData("nan", "NaN is not allowed")]
    [InlineData("NaN", "NaN is not allowed")]
    [InlineData("-nan", "NaN is not allowed")]
    [InlineData("inf", "infinity is not allowed")]
    [InlineData("+inf", "infinity is not allowed")]
    [InlineData("-inf", "-infinity is not allowed")]
    [InlineData("Infinity", "infinity is not allowed")]
    [InlineData("-Infinity", "-infinity is not allowed")]
    [InlineData("∞", "infinity is not allowed")]
    public void Nan_and_infinity_spellings_are_refused_naming_row_column_and_text(string value, string problem)
    {
        var path = Write($"1,2\n3,{value}\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 2, column 2 (1-based): \"{value}\": {problem}; weights must be finite numbers");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e309")]
    public void A_value_that_overflows_a_double_is_refused(string value)
    {
        var path = Write($"{value}\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 1, column 1 (1-based): \"{value}\" is too large for a double");
    }

    [Fact]
    public void A_blank_line_inside_the_matrix_is_refused()
    {
        var path = Write("1,2\n\n3,4\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path),
            $"{path}: row 2 is blank; blank lines are only allowed at the end");
    }

    [Fact]
    public void A_leading_blank_line_is_refused()
    {
        var path = Write("\n1,2\n");
        InputAssert.Throws(() => CsvMatrixReader.Read(path), $"{path}: row 1 is blank");
    }

    [Fact]
    public void Long_garbage_is_cut_and_control_characters_are_escaped_in_the_message()
    {
        var path = Write($"\"x\ty{new string('z', 100)}\"\n");
        var message = InputAssert.Throws(() => CsvMatrixReader.Read(path), "\"x\\ty", "…\" is not a number");
        Assert.True(message.Length < path.Length + 120, message);
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        var path = Path.Combine(_dir.Path, "absent.csv");
        InputAssert.Throws(() => CsvMatrixReader.Read(path), $"{path}: file not found");
    }
}
