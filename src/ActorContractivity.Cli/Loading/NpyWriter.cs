using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Writes a 2-D float64 array as a NumPy <c>.npy</c> file (format 1.0, C order, little-endian), the layout
/// <c>numpy.save</c> produces and <see cref="NpyReader"/> reads.
/// </summary>
internal static class NpyWriter
{
    /// <summary>The bytes of the file for a row-major <paramref name="rows"/>×<paramref name="cols"/> array.</summary>
    internal static byte[] Float64(ReadOnlySpan<double> rowMajor, int rows, int cols)
    {
        using var stream = new MemoryStream();
        Write(stream, rowMajor, rows, cols);
        return stream.ToArray();
    }

    /// <summary>Writes the file for a row-major array to <paramref name="stream"/>, a row at a time.</summary>
    internal static void Write(Stream stream, ReadOnlySpan<double> rowMajor, int rows, int cols)
    {
        var dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");

        // The magic (6 bytes), the version (2) and the header length (2) precede the header, which is padded with
        // spaces and ends in a newline so that the data starts at a multiple of 64 bytes.
        var headerLength = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;
        Span<byte> preamble = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0];
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)headerLength);
        stream.Write(preamble);
        stream.Write(Encoding.ASCII.GetBytes(dict.PadRight(headerLength - 1) + "\n"));

        var row = new byte[8 * cols];
        for (var i = 0; i < rows; i++)
        {
            var values = rowMajor.Slice(i * cols, cols);
            for (var j = 0; j < cols; j++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8 * j, 8), values[j]);
            }

            stream.Write(row);
        }
    }
}
