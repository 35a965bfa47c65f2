using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>
/// Reads the IDX files MNIST is distributed in, plain or gzip-compressed (<c>.gz</c>). An IDX file starts with
/// two zero bytes, a type byte (0x08: unsigned bytes), the number of dimensions, and each dimension as a
/// big-endian 32-bit integer; the values follow in row-major order.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an image file (n × 28 × 28 unsigned bytes) and its label file into digits.</summary>
    /// <exception cref="DatasetException">A file is missing, corrupt, or not MNIST-shaped.</exception>
    public static DigitSet Read(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Length / DigitSet.PixelCount != labels.Length)
        {
            throw new DatasetException($"{labelsPath}: holds {labels.Length} labels but "
                + $"{Path.GetFileName(imagesPath)} holds {images.Length / DigitSet.PixelCount} images");
        }

        var pixels = new double[images.Length];
        for (var k = 0; k < images.Length; k++)
        {
            pixels[k] = images[k] / 255.0;
        }

        return new DigitSet(pixels, labels);
    }

    /// <summary>The pixel bytes of an image file, one 28×28 image after another.</summary>
    public static byte[] ReadImages(string path)
    {
        var (dimensions, data) = ReadIdx(path, expectedDimensions: 3, "images");
        if (dimensions[1] != DigitSet.Side || dimensions[2] != DigitSet.Side)
        {
            throw new DatasetException($"{path}: images are {dimensions[1]}×{dimensions[2]} pixels; "
                + $"MNIST digits are {DigitSet.Side}×{DigitSet.Side}");
        }

        return data;
    }

    /// <summary>The labels of a label file, each checked to lie in 0–9.</summary>
    public static byte[] ReadLabels(string path)
    {
        var (_, labels) = ReadIdx(path, expectedDimensions: 1, "labels");
        for (var k = 0; k < labels.Length; k++)
        {
            if (labels[k] >= DigitSet.Classes)
            {
                throw new DatasetException(
                    $"{path}: label {k} (0-based) is {labels[k]}, out of range 0–{DigitSet.Classes - 1}");
            }
        }

        return labels;
    }

    private static (uint[] Dimensions, byte[] Data) ReadIdx(string path, int expectedDimensions, string what)
    {
        var bytes = ReadAllBytes(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
        {
            throw new DatasetException($"{path}: not an IDX file (it does not start with two zero bytes)");
        }

        if (bytes[2] != UnsignedByte || bytes[3] != expectedDimensions)
        {
            throw new DatasetException($"{path}: holds {bytes[3]}-dimensional data of type 0x{bytes[2]:x2}; "
                + $"{what} are {expectedDimensions}-dimensional unsigned bytes (type 0x08)");
        }

        var headerLength = 4 + 4 * expectedDimensions;
        if (bytes.Length < headerLength)
        {
            throw new DatasetException($"{path}: truncated: the file ends inside the IDX header");
        }

        // The dimensions are unsigned 32-bit counts; their product can exceed 64 bits.
        var dimensions = new uint[expectedDimensions];
        UInt128 count = 1;
        for (var d = 0; d < expectedDimensions; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d, 4));
            if (dimensions[d] == 0)
            {
                throw new DatasetException($"{path}: dimension {d + 1} of the IDX header is {dimensions[d]}; "
                    + "it must be positive");
            }

            count *= dimensions[d];
        }

        var held = (UInt128)(bytes.Length - headerLength);
        if (held != count)
        {
            var shape = string.Join('×', dimensions);
            throw new DatasetException($"{path}: the header announces {shape} = {count} values but the file holds "
                + $"{held}" + (held < count ? " (truncated)" : ""));
        }

        return (dimensions, bytes[headerLength..]);
    }

    private static byte[] ReadAllBytes(string path)
    {
        DatasetException.RequireFile(path, "an IDX file");
        try
        {
            using var file = File.OpenRead(path);
            if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var plain = new MemoryStream();
                file.CopyTo(plain);
                return plain.ToArray();
            }

            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            gzip.CopyTo(inflated);
            return inflated.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException($"{path}: not a valid gzip file: {OneLine(e.Message)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be read: {OneLine(e.Message)}");
        }
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
