using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Inner;

namespace ActorContractivity.Core.Blocks;

/// <summary>
/// The driver's side of one climb of the inner search over the blocks of a <see cref="BlockPipeline"/>: the
/// slopes and gradients stay in the blocks; this class holds the vectors passed between them and turns each step
/// of the search into calls on every block followed by a reduction of their scalar answers. The reductions are
/// exact (maxima, counts, flags, a merge of sorted candidates), so the search takes the same path whatever the
/// split. Not thread-safe; different climbs of one pipeline may run concurrently.
/// </summary>
public sealed class BlockClimb : IJacobianProducts, IDisposable
{
    private readonly BlockPipeline _pipeline;
    private readonly int _id;
    private readonly double[][] _between;

    internal BlockClimb(BlockPipeline pipeline, int id)
    {
        _pipeline = pipeline;
        _id = id;
        _between = pipeline.Blocks.SkipLast(1).Select(b => new double[b.Shape.OutputWidth]).ToArray();
    }

    /// <summary>The state dimension n.</summary>
    public int Dimension => _pipeline.Dimension;

    /// <summary>The number of slopes of the sample.</summary>
    public int SlopeCount => _pipeline.SlopeCount;

    private IReadOnlyList<ILayerBlock> Blocks => _pipeline.Blocks;

    /// <summary>result = J x at the trial slopes, block by block.</summary>
    public void Forward(ReadOnlySpan<double> x, Span<double> result)
    {
        var last = Blocks.Count - 1;
        for (var b = 0; b <= last; b++)
        {
            Blocks[b].Forward(_id, b == 0 ? x : _between[b - 1], b == last ? result : _between[b]);
        }
    }

    /// <summary>result = Jᵀ y at the trial slopes, block by block in reverse.</summary>
    public void Backward(ReadOnlySpan<double> y, Span<double> result)
    {
        for (var b = Blocks.Count - 1; b >= 0; b--)
        {
            Blocks[b].Backward(_id, b == Blocks.Count - 1 ? y : _between[b], b == 0 ? result : _between[b - 1]);
        }
    }

    /// <summary>
    /// F and the top eigenvector at the trial slopes, the eigen-solver driving the pipeline; each block keeps its
    /// gradient slice.
    /// </summary>
    internal Measurement Evaluate(
        double? discreteStep, LanczosOptions lanczos, ReadOnlySpan<double> warm, Random random)
    {
        var measured = SlopeObjective.Measure(this, discreteStep, lanczos, warm, random);
        KeepGradient(measured.GradientScale);
        return measured;
    }

    /// <summary>
    /// Every block forms its gradient slice from the last passes, weighted by the scale (null: zero).
    /// </summary>
    internal void KeepGradient(double? scale)
    {
        foreach (var block in Blocks)
        {
            block.KeepGradient(_id, scale);
        }
    }

    /// <summary>The trial point becomes the current point.</summary>
    public void Accept()
    {
        foreach (var block in Blocks)
        {
            block.Accept(_id);
        }
    }

    /// <summary>Trial = clip(current + step · gradient); true when some slope moved.</summary>
    public bool ProposeStep(double step)
    {
        var moved = false;
        foreach (var block in Blocks)
        {
            moved |= block.ProposeStep(_id, step);
        }

        return moved;
    }

    /// <summary>Trial = current with interior slopes moved to the bound their gradient favours.</summary>
    public void ProposeVertex()
    {
        foreach (var block in Blocks)
        {
            block.ProposeVertex(_id);
        }
    }

    /// <summary>Trial = current with one slope (flat index) flipped to the other bound.</summary>
    public void ProposeFlip(int slope)
    {
        foreach (var block in Blocks)
        {
            block.ProposeFlip(_id, slope);
        }
    }

    /// <summary>True when every current slope is at a bound.</summary>
    public bool IsVertex() => Blocks.All(b => b.IsVertex(_id));

    /// <summary>
    /// The median of the positive magnitudes |g_i| of the current gradient (the upper median of an even count), or
    /// null when there is none. Found exactly from counts alone: positive doubles order like their bit patterns, so
    /// at most 63 rounds of bisection on the bits, each asking every block one count, pin the value down.
    /// </summary>
    public double? MedianGradientMagnitude()
    {
        var positive = Count(double.PositiveInfinity);
        if (positive == 0)
        {
            return null;
        }

        // Invariant: at most `rank` magnitudes are ≤ the value of lo's bits, more than `rank` are ≤ hi's.
        var rank = positive / 2;
        var (lo, hi) = (0L, BitConverter.DoubleToInt64Bits(double.PositiveInfinity));
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Count(BitConverter.Int64BitsToDouble(mid)) > rank)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return BitConverter.Int64BitsToDouble(hi);
    }

    /// <summary>The <paramref name="limit"/> most promising flips over all blocks.</summary>
    public IReadOnlyList<FlipCandidate> FlipCandidates(int limit, double value, ReadOnlySpan<double> vector)
    {
        var all = new List<FlipCandidate>();
        foreach (var block in Blocks)
        {
            all.AddRange(block.FlipCandidates(_id, limit, value, vector));
        }

        all.Sort(FlipCandidate.MostPromisingFirst);
        return all.Take(limit).ToArray();
    }

    /// <summary>Gathers the current slopes and gradient from the blocks.</summary>
    public (double[] Slopes, double[] Gradient) Read()
    {
        var slopes = new double[SlopeCount];
        var gradient = new double[SlopeCount];
        foreach (var block in Blocks)
        {
            var shape = block.Shape;
            block.Read(_id, slopes.AsSpan(shape.SlopeOffset, shape.SlopeCount),
                gradient.AsSpan(shape.SlopeOffset, shape.SlopeCount));
        }

        return (slopes, gradient);
    }

    /// <summary>Closes the climb on every block.</summary>
    public void Dispose()
    {
        foreach (var block in Blocks)
        {
            block.Close(_id);
        }
    }

    private int Count(double atMost) => Blocks.Sum(b => b.CountGradient(_id, atMost));
}
