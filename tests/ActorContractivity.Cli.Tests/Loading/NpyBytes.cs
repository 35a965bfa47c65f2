using System.Buffers.Binary;
using System.Text;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>
/// Writes NumPy .npy files byte by byte, the way <c>numpy.save</c> does: the magic <c>\x93NUMPY</c>, the version,
/// the header length (u16 for version 1, u32 for versions 2 and 3) and the header dict padded with spaces so the
/// data starts at a multiple of 64 bytes, ending in a newline.
/// </summary>
public static class NpyBytes
{
    /// <summary>A float64 file of <paramref name="matrix"/>.</summary>
    public static byte[] Float64(double[,] matrix, bool fortranOrder = false, char byteOrder = '<', int major = 1)
    {
        var data = new byte[matrix.Length * 8];
        var k = 0;
        foreach (var value in StorageOrder(matrix, fortranOrder))
        {
            var item = data.AsSpan(8 * k++, 8);
            if (byteOrder == '>')
            {
                BinaryPrimitives.WriteDoubleBigEndian(item, value);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(item, value);
            }
        }

        return File($"{byteOrder}f8", fortranOrder, Shape(matrix), data, major);
    }

    /// <summary>A float32 file of <paramref name="matrix"/>.</summary>
    public static byte[] Float32(float[,] matrix, bool fortranOrder = false, char byteOrder = '<', int major = 1)
    {
        var data = new byte[matrix.Length * 4];
        var k = 0;
        foreach (var value in StorageOrder(matrix, fortranOrder))
        {
            var item = data.AsSpan(4 * k++, 4);
            if (byteOrder == '>')
            {
                BinaryPrimitives.WriteSingleBigEndian(item, value);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(item, value);
            }
        }

        return File($"{byteOrder}f4", fortranOrder, Shape(matrix), data, major);
    }

    /// <summary>A file with the given header fields and raw data bytes.</summary>
    public static byte[] File(string descr, bool fortranOrder, string shape, byte[] data, int major = 1) =>
        Raw($"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}",
            data, major);

    /// <summary>A file with a verbatim header dict, for headers NumPy would not write.</summary>
    public static byte[] Raw(string headerDict, byte[] data, int major = 1, int minor = 0)
    {
        var preamble = major == 1 ? 10 : 12;
        var unpadded = preamble + Encoding.UTF8.GetByteCount(headerDict) + 1;
        var header = Encoding.UTF8.GetBytes(headerDict + new string(' ', (64 - unpadded % 64) % 64) + "\n");
        var length = new byte[preamble - 8];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }

        return [0x93, .. "NUMPY"u8, (byte)major, (byte)minor, .. length, .. header, .. data];
    }

    private static string Shape<T>(T[,] matrix) => $"({matrix.GetLength(0)}, {matrix.GetLength(1)})";

    private static IEnumerable<T> StorageOrder<T>(T[,] matrix, bool fortranOrder)
    {
        var (rows, cols) = (matrix.GetLength(0), matrix.GetLength(1));
        for (var outer = 0; outer < (fortranOrder ? cols : rows); outer++)
        {
            for (var inner = 0; inner < (fortranOrder ? rows : cols); inner++)
            {
                yield return fortranOrder ? matrix[inner, outer] : matrix[outer, inner];
            }
        }
    }
}
