namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>Translation of a digit by whole pixels, the augmentation used in training.</summary>
public static class Shift
{
    /// <summary>
    /// Writes <paramref name="image"/> moved right by <paramref name="dx"/> and down by <paramref name="dy"/> pixels
    /// into <paramref name="shifted"/>; pixels moved in from outside are 0 (background).
    /// </summary>
    public static void Apply(ReadOnlySpan<double> image, int dx, int dy, Span<double> shifted)
    {
        const int side = DigitSet.Side;
        shifted.Clear();
        for (var row = Math.Max(0, dy); row < Math.Min(side, side + dy); row++)
        {
            var from = image.Slice((row - dy) * side + Math.Max(0, -dx), side - Math.Abs(dx));
            from.CopyTo(shifted.Slice(row * side + Math.Max(0, dx), side - Math.Abs(dx)));
        }
    }
}
