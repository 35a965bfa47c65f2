using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ActorContractivity.Cli.Mnist;

/// <summary>
/// Writes a 2-D float64 array as a NumPy <c>.npy</c> file (format 1.0, C order, little-endian), the layout
/// <c>numpy.save</c> produces and <see cref="Loading.NpyReader"/> reads.
/// </summary>
internal static class NpyWriter
{
    /// <summary>The bytes of the file for a row-major <paramref name="rows"/>×<paramref name="cols"/> array.</summary>
    internal static byte[] Float64(ReadOnlySpan<double> rowMajor, int rows, int cols)
    {
        var dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
        // The magic (6 bytes), the version (2) and the header length (2) precede the header, which is padded with
        // spaces and ends in a newline so that the data starts at a multiple of 64 bytes.
        var headerLength = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;
        var header = dict.PadRight(headerLength - 1) + "\n";
        var bytes = new byte[10 + headerLength + 8 * rowMajor.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        for (var k = 0; k < rowMajor.Length; k++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(10 + headerLength + 8 * k), rowMajor[k]);
        }

        return bytes;
    }
}
