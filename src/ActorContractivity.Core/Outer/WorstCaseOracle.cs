using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Norms;

namespace ActorContractivity.Core.Outer;

/// <summary>Evaluates φ(box) = max over samples of the worst case in the box.</summary>
public interface IWorstCaseOracle
{
    /// <summary>The worst case over all samples in [lower, upper].</summary>
    WorstCase Evaluate(double lower, double upper);

    /// <summary>Work spent so far.</summary>
    WorkCounts Counts { get; }

    /// <summary>How the worst case is found, in words.</summary>
    string Method { get; }
}

/// <summary>
/// μ₂ (or the discrete step norm) by the inner solver: enumeration where a sample is small enough, the gradient
/// system otherwise. Each sample remembers where its starts ended (vertex and eigenvector) and starts the next box
/// from there, slopes at the old tuned end moving to the new one: the boxes of successive outer steps differ
/// little, so each start's climb resumes rather than begins again.
/// </summary>
public sealed class InnerSolverOracle(NeuralOdeModel model, double? discreteStep, InnerOptions options)
    : IWorstCaseOracle
{
    private readonly (IReadOnlyList<WarmStart> Starts, double Lower, double Upper)?[] _warm =
        new (IReadOnlyList<WarmStart>, double, double)?[model.Samples.Count];

    private int _solves;
    private long _evaluations;
    private long _products;
    private long _vertices;
    private int _steps;
    private bool _enumerated;
    private bool _searched;

    /// <inheritdoc />
    public WorkCounts Counts => new(_solves, _evaluations, _products, _vertices, _steps);

    /// <inheritdoc />
    public string Method => (_enumerated, _searched) switch
    {
        (true, false) => "exhaustive enumeration of the slope-box vertices",
        (false, true) => $"projected gradient search ({options.Starts} starts, vertex polish)",
        (true, true) => "enumeration for small samples, projected gradient search for the others",
        _ => "direct evaluation at D = fixed·I",
    };

    /// <inheritdoc />
    public WorstCase Evaluate(double lower, double upper)
    {
        WorstCase? worst = null;
        var exact = true;
        for (var s = 0; s < model.Samples.Count; s++)
        {
            var sample = model.Samples[s];
            var warm = _warm[s] is { } w
                ? w.Starts.Select(start => start with { Slopes = MapInto(start.Slopes, w.Lower, w.Upper, lower, upper) })
                    .ToArray()
                : null;
            var result = InnerSolver.Solve(sample, s, lower, upper, discreteStep, options, warm);
            _solves++;
            _evaluations += result.Evaluations;
            _products += result.Products;
            _vertices += result.Vertices;
            _steps += result.GradientSteps;
            if (lower != upper)
            {
                _enumerated |= result.Exact;
                _searched |= !result.Exact;
                _warm[s] = (result.Climbs.Count > 0 ? result.Climbs : [new WarmStart(result.Slopes, result.Vector)],
                    lower, upper);
            }

            exact &= result.Exact;
            if (worst is null || result.Value > worst.Value)
            {
                var offsets = new JacobianChain(sample).Offsets;
                worst = new WorstCase(result.Value, s, result.Slopes, offsets, result.Gradient, result.Residual, true);
            }
        }

        return worst! with { Exact = exact };
    }

    private static double[] MapInto(double[] slopes, double oldLower, double oldUpper, double lower, double upper) =>
        slopes.Select(v => v == oldLower ? lower : v == oldUpper ? upper : Math.Clamp(v, lower, upper)).ToArray();
}

/// <summary>μ₁ and μ∞ of one-layer samples in closed form (exact).</summary>
public sealed class ClosedFormOracle(NeuralOdeModel model, LogNormKind norm, double? discreteStep) : IWorstCaseOracle
{
    private int _solves;

    /// <inheritdoc />
    public WorkCounts Counts => new(_solves, _solves, 0, 0, 0);

    /// <inheritdoc />
    public string Method => norm == LogNormKind.One
        ? "closed form (columns decouple for μ₁)"
        : "closed form (rows decouple for μ∞)";

    /// <inheritdoc />
    public WorstCase Evaluate(double lower, double upper)
    {
        WorstCase? worst = null;
        for (var s = 0; s < model.Samples.Count; s++)
        {
            var a = model.Samples[s].Layers[0];
            var result = BoxWorstCase.Evaluate(a, lower, upper, norm, discreteStep);
            _solves++;
            if (worst is null || result.Value > worst.Value)
            {
                worst = new WorstCase(result.Value, s, result.Slopes, [0, a.Rows], result.Gradient, 0.0, true);
            }
        }

        return worst!;
    }
}
