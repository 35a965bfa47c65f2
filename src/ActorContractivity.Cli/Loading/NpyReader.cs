using System.Buffers.Binary;
using System.Text;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Reads a 2-D float32 or float64 NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0; C or Fortran order;
/// either byte order) into a <see cref="Matrix"/>.
/// </summary>
public static class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // NumPy's own reader refuses headers over 10 000 bytes by default; a 2-D float header needs about 100.
    private const int MaxHeaderLength = 1 << 16;

    private const string Supported = "float32 '<f4' or float64 '<f8' only";

    /// <summary>Reads the matrix in <paramref name="path"/>.</summary>
    /// <exception cref="InputException">The file is missing, not a 2-D float .npy file, or holds NaN/Inf.</exception>
    public static Matrix Read(string path) => Read(path, path);

    /// <summary>Reads the matrix in <paramref name="path"/>; <paramref name="label"/> names it in errors.</summary>
    internal static Matrix Read(string path, string label)
    {
        using var stream = InputFile.OpenRead(path, label);
        var (header, dataLength) = ReadHeader(stream, label);
        var (itemSize, littleEndian) = ParseDescr(header, label);
        var (rows, cols) = MatrixShape(header, label);

        var needed = (long)rows * cols * itemSize;
        var dtype = itemSize == 8 ? "float64" : "float32";
        if (dataLength < needed)
        {
            throw new InputException(
                $"{label}: truncated: shape {header.ShapeText()} of {dtype} needs {needed} bytes of data "
                + $"but the file holds {dataLength}");
        }

        if (dataLength > needed)
        {
            // NumPy would ignore the excess, but it means the header describes some other array.
            throw new InputException(
                $"{label}: the file holds {dataLength} bytes of data but shape {header.ShapeText()} of {dtype} "
                + $"needs {needed}; the header does not match the data");
        }

        var values = ReadValues(stream, label, rows, cols, itemSize, littleEndian, header.FortranOrder);
        return Matrix.FromRowMajor(rows, cols, values);
    }

    private static (NpyHeader Header, long DataLength) ReadHeader(Stream stream, string label)
    {
        Span<byte> preamble = stackalloc byte[12];
        var read = stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false);
        if (read < Magic.Length || !preamble[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InputException($"{label}: not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }

        if (read < 10)
        {
            throw new InputException($"{label}: truncated: the file ends inside the .npy header");
        }

        var (major, minor) = (preamble[6], preamble[7]);
        long headerLength;
        if (major == 1 && minor == 0)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..10]);
        }
        else if (major is 2 or 3 && minor == 0)
        {
            if (stream.ReadAtLeast(preamble[10..12], 2, throwOnEndOfStream: false) < 2)
            {
                throw new InputException($"{label}: truncated: the file ends inside the .npy header");
            }

            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..12]);
        }
        else
        {
            throw new InputException(
                $"{label}: .npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 only)");
        }

        if (stream.Position + headerLength > stream.Length)
        {
            throw new InputException($"{label}: truncated: the file ends inside the .npy header");
        }

        if (headerLength > MaxHeaderLength)
        {
            throw new InputException($"{label}: malformed .npy header: {headerLength} bytes is implausibly long");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        // Versions 1 and 2 store the header in Latin-1; version 3 exists to allow UTF-8.
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        return (NpyHeader.Parse(text, label), stream.Length - stream.Position);
    }

    private static (int ItemSize, bool LittleEndian) ParseDescr(NpyHeader header, string label)
    {
        if (header.Descr is null)
        {
            throw new InputException($"{label}: structured dtypes are not supported ({Supported})");
        }

        var descr = header.Descr;
        if (descr.Length != 3 || descr[0] is not ('<' or '>' or '=' or '|') || descr[1..] is not ("f8" or "f4"))
        {
            throw new InputException($"{label}: dtype {Describe.Quote(descr, '\'')} is not supported "
                + $"({Supported})");
        }

        // '=' and '|' mean the byte order of the machine that wrote the file, which is all they can tell us.
        var littleEndian = descr[0] switch
        {
            '<' => true,
            '>' => false,
            _ => BitConverter.IsLittleEndian,
        };
        return (descr[2] == '8' ? 8 : 4, littleEndian);
    }

    private static (int Rows, int Cols) MatrixShape(NpyHeader header, string label)
    {
        var shape = header.Shape;
        if (shape.Count != 2)
        {
            throw new InputException(
                $"{label}: shape {header.ShapeText()} is {shape.Count}-D; a layer must be a 2-D matrix");
        }

        if (shape[0] == 0 || shape[1] == 0)
        {
            throw new InputException($"{label}: shape {header.ShapeText()} has a zero-size dimension; "
                + "a layer needs at least one row and one column");
        }

        if (shape[0] * (double)shape[1] > Array.MaxLength)
        {
            throw new InputException($"{label}: shape {header.ShapeText()} is too large to load");
        }

        return ((int)shape[0], (int)shape[1]);
    }

    private static double[] ReadValues(
        Stream stream, string label, int rows, int cols, int itemSize, bool littleEndian, bool fortranOrder)
    {
        var values = new double[rows * cols];
        var buffer = new byte[itemSize * 8192];
        var k = 0;
        while (k < values.Length)
        {
            var count = Math.Min(values.Length - k, buffer.Length / itemSize);
            var bytes = buffer.AsSpan(0, count * itemSize);
            stream.ReadExactly(bytes);
            for (var b = 0; b < bytes.Length; b += itemSize, k++)
            {
                var item = bytes.Slice(b, itemSize);
                var value = (itemSize, littleEndian) switch
                {
                    (8, true) => BinaryPrimitives.ReadDoubleLittleEndian(item),
                    (8, false) => BinaryPrimitives.ReadDoubleBigEndian(item),
                    (_, true) => BinaryPrimitives.ReadSingleLittleEndian(item),
                    (_, false) => BinaryPrimitives.ReadSingleBigEndian(item),
                };
                var (i, j) = fortranOrder ? (k % rows, k / rows) : (k / cols, k % cols);
                if (!double.IsFinite(value))
                {
                    throw new InputException($"{label}: {Describe.Cell(i, j)}: {Describe.NonFinite(value)}");
                }

                values[i * cols + j] = value;
            }
        }

        return values;
    }
}
