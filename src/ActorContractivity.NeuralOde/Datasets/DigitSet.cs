namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>
/// Labelled 28×28 grey-scale digits with pixels in [0, 1], stored row-major one image after another.
/// </summary>
public sealed class DigitSet
{
    /// <summary>Width and height of an image in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image.</summary>
    public const int PixelCount = Side * Side;

    /// <summary>The classes 0–9.</summary>
    public const int Classes = 10;

    private readonly double[] _pixels;
    private readonly byte[] _labels;

    /// <summary>Wraps images and labels; both arrays are kept, not copied.</summary>
    public DigitSet(double[] pixels, byte[] labels)
    {
        if (pixels.Length != labels.Length * PixelCount)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {labels.Length * PixelCount} pixels, got {pixels.Length}");
        }

        if (labels.Any(l => l >= Classes))
        {
            throw new ArgumentException($"labels must lie in 0–{Classes - 1}");
        }

        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>The number of digits.</summary>
    public int Count => _labels.Length;

    /// <summary>The pixels of digit <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> Image(int index) => _pixels.AsSpan(index * PixelCount, PixelCount);

    /// <summary>The label of digit <paramref name="index"/>.</summary>
    public int Label(int index) => _labels[index];

    /// <summary>The digits at <paramref name="indices"/>, in that order.</summary>
    public DigitSet Subset(IReadOnlyList<int> indices)
    {
        var pixels = new double[indices.Count * PixelCount];
        var labels = new byte[indices.Count];
        for (var k = 0; k < indices.Count; k++)
        {
            Image(indices[k]).CopyTo(pixels.AsSpan(k * PixelCount, PixelCount));
            labels[k] = _labels[indices[k]];
        }

        return new DigitSet(pixels, labels);
    }

    /// <summary>The digits of several sets, one set after another.</summary>
    public static DigitSet Concat(IReadOnlyList<DigitSet> sets)
    {
        var pixels = new double[sets.Sum(s => s.Count) * PixelCount];
        var labels = new byte[sets.Sum(s => s.Count)];
        var offset = 0;
        foreach (var set in sets)
        {
            set._pixels.CopyTo(pixels, offset * PixelCount);
            set._labels.CopyTo(labels, offset);
            offset += set.Count;
        }

        return new DigitSet(pixels, labels);
    }
}
