using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Generate;

/// <summary>
/// Writes a matrix as a NumPy <c>.npy</c> file the way <c>numpy.save</c> does for a C-ordered float64 array:
/// format version 1.0, header dict padded with spaces to a multiple of 64 bytes, little-endian data.
/// </summary>
public static class NpyWriter
{
    /// <summary>Writes <paramref name="matrix"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Matrix matrix)
    {
        var dict = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({matrix.Rows}, {matrix.Cols}), }}");
        var unpadded = 10 + dict.Length + 1;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', (64 - unpadded % 64) % 64) + "\n");
        Span<byte> preamble = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0];
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(header);

        var row = new byte[8 * matrix.Cols];
        for (var i = 0; i < matrix.Rows; i++)
        {
            var values = matrix.Row(i);
            for (var j = 0; j < values.Length; j++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(8 * j, 8), values[j]);
            }

            stream.Write(row);
        }
    }
}
