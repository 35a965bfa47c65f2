using System.Collections.Concurrent;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Blocks;

/// <summary>
/// The in-memory <see cref="ILayerBlock"/>: it keeps its layers and, per open climb, a <see cref="JacobianChain"/>
/// over them whose slopes are the trial point, plus the current point and both gradient slices. Memory is the
/// weights (<see cref="BlockShape.WeightBytes"/>) plus six doubles per slope and climb.
/// </summary>
public sealed class LayerBlock : ILayerBlock
{
    private readonly Matrix[] _layers;
    private readonly ConcurrentDictionary<int, ClimbState> _climbs = new();

    /// <summary>
    /// A block of consecutive layers (each layer's columns match the previous layer's rows), the
    /// <paramref name="firstLayer"/>-th onwards of its sample, whose slopes start at <paramref name="slopeOffset"/> in
    /// the sample's flat slopes. The matrices are kept, not copied.
    /// </summary>
    public LayerBlock(IReadOnlyList<Matrix> layers, int firstLayer = 0, int slopeOffset = 0)
    {
        if (layers.Count == 0)
        {
            throw new ArgumentException("a block needs at least one layer");
        }

        for (var j = 1; j < layers.Count; j++)
        {
            if (layers[j].Cols != layers[j - 1].Rows)
            {
                throw new ArgumentException(
                    $"layer {j} of the block takes {layers[j].Cols} inputs but layer {j - 1} has {layers[j - 1].Rows} "
                    + "outputs");
            }
        }

        _layers = layers.ToArray();
        Shape = new BlockShape(firstLayer, _layers.Length, _layers[0].Cols, _layers[^1].Rows, slopeOffset,
            _layers.Sum(l => l.Rows), _layers.Sum(l => Matrix.StorageBytes(l.Rows, l.Cols)));
    }

    /// <inheritdoc />
    public BlockShape Shape { get; }

    /// <summary>Bytes held for open climbs (slopes, gradients and pass buffers; the weights not included).</summary>
    public long StateBytes => _climbs.Values.Sum(c => c.Bytes);

    /// <inheritdoc />
    public void Open(int climb, double lower, double upper, ReadOnlySpan<double> slopes, ReadOnlySpan<double> gradient)
    {
        var state = new ClimbState(new JacobianChain(_layers), lower, upper);
        slopes.CopyTo(state.Current);
        slopes.CopyTo(state.Chain.Slopes);
        gradient.CopyTo(state.Gradient);
        if (!_climbs.TryAdd(climb, state))
        {
            throw new InvalidOperationException($"climb {climb} is already open on this block");
        }
    }

    /// <inheritdoc />
    public void Close(int climb) => _climbs.TryRemove(climb, out _);

    /// <inheritdoc />
    public void Forward(int climb, ReadOnlySpan<double> x, Span<double> result) =>
        State(climb).Chain.Forward(x, result);

    /// <inheritdoc />
    public void Backward(int climb, ReadOnlySpan<double> y, Span<double> result) =>
        State(climb).Chain.Backward(y, result);

    /// <inheritdoc />
    public void KeepGradient(int climb, double? scale)
    {
        var state = State(climb);
        Array.Clear(state.TrialGradient);
        if (scale is { } s)
        {
            state.Chain.AccumulateGradient(state.TrialGradient, s);
        }
    }

    /// <inheritdoc />
    public void Accept(int climb)
    {
        var state = State(climb);
        state.Chain.Slopes.CopyTo(state.Current, 0);
        (state.Gradient, state.TrialGradient) = (state.TrialGradient, state.Gradient);
    }

    /// <inheritdoc />
    public bool ProposeStep(int climb, double step)
    {
        var state = State(climb);
        var (current, gradient, trial) = (state.Current, state.Gradient, state.Chain.Slopes);
        var moved = false;
        for (var i = 0; i < current.Length; i++)
        {
            trial[i] = Math.Clamp(current[i] + step * gradient[i], state.Lower, state.Upper);
            moved |= trial[i] != current[i];
        }

        return moved;
    }

    /// <inheritdoc />
    public void ProposeVertex(int climb)
    {
        var state = State(climb);
        var (current, gradient, trial) = (state.Current, state.Gradient, state.Chain.Slopes);
        for (var i = 0; i < current.Length; i++)
        {
            trial[i] = state.AtBound(current[i])
                ? current[i]
                : gradient[i] > 0 ? state.Upper : state.Lower;
        }
    }

    /// <inheritdoc />
    public void ProposeFlip(int climb, int slope)
    {
        var state = State(climb);
        state.Current.CopyTo(state.Chain.Slopes, 0);
        var local = slope - Shape.SlopeOffset;
        if (local >= 0 && local < Shape.SlopeCount)
        {
            state.Chain.Slopes[local] = state.Other(state.Current[local]);
        }
    }

    /// <inheritdoc />
    public bool IsVertex(int climb)
    {
        var state = State(climb);
        return state.Current.All(state.AtBound);
    }

    /// <inheritdoc />
    public int CountGradient(int climb, double atMost)
    {
        var count = 0;
        foreach (var g in State(climb).Gradient)
        {
            var magnitude = Math.Abs(g);
            count += magnitude > 0 && magnitude <= atMost ? 1 : 0;
        }

        return count;
    }

    /// <inheritdoc />
    public FlipCandidate[] FlipCandidates(int climb, int limit, double value, ReadOnlySpan<double> vector)
    {
        var state = State(climb);
        var promise = vector.IsEmpty ? FirstOrderPromise(state) : RayleighRitzPromise(state, value, vector);
        var candidates = new List<FlipCandidate>();
        for (var i = 0; i < promise.Length; i++)
        {
            if (state.AtBound(state.Current[i]))
            {
                candidates.Add(new FlipCandidate(Shape.SlopeOffset + i, promise[i]));
            }
        }

        candidates.Sort(FlipCandidate.MostPromisingFirst);
        return candidates.Take(limit).ToArray();
    }

    /// <inheritdoc />
    public void Read(int climb, Span<double> slopes, Span<double> gradient)
    {
        var state = State(climb);
        state.Current.CopyTo(slopes);
        state.Gradient.CopyTo(gradient);
    }

    private ClimbState State(int climb) =>
        _climbs.TryGetValue(climb, out var state)
            ? state
            : throw new InvalidOperationException($"climb {climb} is not open on this block");

    private static double[] FirstOrderPromise(ClimbState state)
    {
        var promise = new double[state.Current.Length];
        for (var i = 0; i < promise.Length; i++)
        {
            promise[i] = state.Gradient[i] * (state.Other(state.Current[i]) - state.Current[i]);
        }

        return promise;
    }

    /// <summary>
    /// For a one-layer flow, the Rayleigh–Ritz value of the flipped Sym(D'A) on span{x, e_i}: a lower bound on its
    /// λ_max (Courant–Fischer) that costs O(1) per slope, because the change
    /// Sym(D'A) − Sym(DA) = δ (e_i a_iᵀ + a_i e_iᵀ)/2 touches only row and column i.
    /// </summary>
    private double[] RayleighRitzPromise(ClimbState state, double lambda, ReadOnlySpan<double> x)
    {
        if (_layers.Length != 1 || !_layers[0].IsSquare || Shape.SlopeOffset != 0)
        {
            throw new InvalidOperationException("the Rayleigh–Ritz promise needs the whole of a one-layer sample");
        }

        var a = _layers[0];
        var slopes = state.Current;
        var promise = new double[slopes.Length];
        var ax = new double[x.Length];
        a.Multiply(x, ax);
        for (var i = 0; i < slopes.Length; i++)
        {
            var delta = state.Other(slopes[i]) - slopes[i];
            var xi = x[i];
            var alpha = lambda + delta * xi * ax[i];
            var cross = lambda * xi + 0.5 * delta * (ax[i] + a[i, i] * xi);
            var diagonal = (slopes[i] + delta) * a[i, i];
            var s2 = 1.0 - xi * xi;
            if (s2 < 1e-12)
            {
                promise[i] = alpha;
                continue;
            }

            var b = (cross - xi * alpha) / Math.Sqrt(s2);
            var c = (diagonal - 2 * xi * cross + xi * xi * alpha) / s2;
            var half = 0.5 * (alpha - c);
            promise[i] = 0.5 * (alpha + c) + Math.Sqrt(half * half + b * b);
        }

        return promise;
    }

    /// <summary>One climb's slopes here: the trial point lives in the chain, the current point beside it.</summary>
    private sealed class ClimbState(JacobianChain chain, double lower, double upper)
    {
        public JacobianChain Chain { get; } = chain;

        public double Lower { get; } = lower;

        public double Upper { get; } = upper;

        public double[] Current { get; } = new double[chain.Slopes.Length];

        public double[] Gradient { get; set; } = new double[chain.Slopes.Length];

        public double[] TrialGradient { get; set; } = new double[chain.Slopes.Length];

        public long Bytes => 8 * (Chain.StateDoubles + 3L * Current.Length);

        public bool AtBound(double slope) => slope == Lower || slope == Upper;

        public double Other(double bound) => bound == Lower ? Upper : Lower;
    }
}
