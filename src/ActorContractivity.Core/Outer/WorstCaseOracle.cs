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
/// The oracle of one process: every sample solved in turn by <see cref="SampleSweep.Solve"/>, the results
/// combined by <see cref="SampleSweep.Worst"/> and remembered by <see cref="SweepState.Record"/>. A cluster
/// runs the same three functions with the samples (and the starts within them) spread over workers.
/// </summary>
public sealed class SweepOracle(NeuralOdeModel model, IntervalQuestion question, InnerOptions options)
    : IWorstCaseOracle
{
    private SweepState _state = SweepState.Empty(model.Samples.Count);

    /// <inheritdoc />
    public WorkCounts Counts => _state.Counts;

    /// <inheritdoc />
    public string Method => _state.Method(question, options);

    /// <inheritdoc />
    public WorstCase Evaluate(double lower, double upper)
    {
        var results = new InnerResult[model.Samples.Count];
        for (var s = 0; s < results.Length; s++)
        {
            results[s] = SampleSweep.Solve(model, s, lower, upper, question, options, _state.WarmFor(s, lower, upper));
        }

        _state = _state.Record(lower, upper, results);
        return SampleSweep.Worst(model, results);
    }
}

/// <summary>Where the starts of one sample ended in the box [Lower, Upper].</summary>
public sealed record SampleWarmStarts(IReadOnlyList<WarmStart> Starts, double Lower, double Upper);

/// <summary>
/// What an outer iteration carries from one box to the next: where each sample's starts ended (vertex and
/// eigenvector), and the work spent. The boxes of successive outer steps differ little, so each start's climb
/// resumes rather than begins again, slopes at the old tuned end moving to the new one. Immutable.
/// </summary>
/// <param name="Warm">Per sample, where its starts ended in the last box searched (null: none yet).</param>
/// <param name="Solves">Inner solves (one per sample and box).</param>
/// <param name="Evaluations">Objective evaluations (eigen-solves).</param>
/// <param name="Products">Products with J or Jᵀ.</param>
/// <param name="Vertices">Vertices enumerated.</param>
/// <param name="Steps">Gradient steps.</param>
/// <param name="Enumerated">Some box of positive width was enumerated.</param>
/// <param name="Searched">Some box of positive width was searched by gradient.</param>
public sealed record SweepState(
    SampleWarmStarts?[] Warm,
    int Solves,
    long Evaluations,
    long Products,
    long Vertices,
    int Steps,
    bool Enumerated,
    bool Searched)
{
    /// <summary>The state before the first box.</summary>
    public static SweepState Empty(int samples) => new(new SampleWarmStarts?[samples], 0, 0, 0, 0, 0, false, false);

    /// <summary>Work spent so far.</summary>
    public WorkCounts Counts => new(Solves, Evaluations, Products, Vertices, Steps);

    /// <summary>How the worst case is found, in words.</summary>
    public string Method(IntervalQuestion question, InnerOptions options) => question.Norm switch
    {
        LogNormKind.One => "closed form (columns decouple for μ₁)",
        LogNormKind.Infinity => "closed form (rows decouple for μ∞)",
        _ => (Enumerated, Searched) switch
        {
            (true, false) => "exhaustive enumeration of the slope-box vertices",
            (false, true) => $"projected gradient search ({options.Starts} starts, vertex polish)",
            (true, true) => "enumeration for small samples, projected gradient search for the others",
            _ => "direct evaluation at D = fixed·I",
        },
    };

    /// <summary>The warm starts of sample <paramref name="sample"/> mapped into [lower, upper], or null.</summary>
    public IReadOnlyList<WarmStart>? WarmFor(int sample, double lower, double upper) =>
        Warm[sample] is { } w
            ? w.Starts.Select(start => start with { Slopes = MapInto(start.Slopes, w.Lower, w.Upper, lower, upper) })
                .ToArray()
            : null;

    /// <summary>The state after every sample was solved in [lower, upper] (results in sample order).</summary>
    public SweepState Record(double lower, double upper, IReadOnlyList<InnerResult> results)
    {
        var warm = (SampleWarmStarts?[])Warm.Clone();
        var next = this with { Warm = warm };
        for (var s = 0; s < results.Count; s++)
        {
            var result = results[s];
            next = next with
            {
                Solves = next.Solves + 1,
                Evaluations = next.Evaluations + result.Evaluations,
                Products = next.Products + result.Products,
                Vertices = next.Vertices + result.Vertices,
                Steps = next.Steps + result.GradientSteps,
            };
            if (lower != upper)
            {
                next = next with
                {
                    Enumerated = next.Enumerated | result.Exact,
                    Searched = next.Searched | !result.Exact,
                };
                warm[s] = new SampleWarmStarts(
                    result.Climbs.Count > 0 ? result.Climbs : [new WarmStart(result.Slopes, result.Vector)],
                    lower, upper);
            }
        }

        return next;
    }

    private static double[] MapInto(double[] slopes, double oldLower, double oldUpper, double lower, double upper) =>
        slopes.Select(v => v == oldLower ? lower : v == oldUpper ? upper : Math.Clamp(v, lower, upper)).ToArray();
}

/// <summary>
/// One box over every sample: each sample's worst case is an independent problem (DESIGN §2.2), and φ is the
/// largest of them. For μ₂ a sample is solved by <see cref="InnerSolver"/> — whose starts are independent in
/// turn, see <see cref="Decomposes"/> — and for μ₁ and μ∞ of one-layer samples in closed form.
/// </summary>
public static class SampleSweep
{
    /// <summary>The worst case of one sample in [lower, upper].</summary>
    public static InnerResult Solve(
        NeuralOdeModel model, int sample, double lower, double upper, IntervalQuestion question, InnerOptions options,
        IReadOnlyList<WarmStart>? warm)
    {
        if (question.Norm == LogNormKind.Two)
        {
            return InnerSolver.Solve(model.Samples[sample], sample, lower, upper, question.DiscreteStep, options, warm);
        }

        var a = model.Samples[sample].Layers[0];
        var closed = BoxWorstCase.Evaluate(a, lower, upper, question.Norm, question.DiscreteStep);
        return new InnerResult(closed.Value, closed.Slopes, [], closed.Gradient, 0.0, Exact: true,
            GradientSteps: 0, Evaluations: 1, Products: 0, Vertices: 0);
    }

    /// <summary>
    /// True when the sample's solve splits into one <c>InnerSolver.ClimbFrom</c> per start and one
    /// <c>InnerSolver.Finish</c>, false when it is one call of <see cref="Solve"/>.
    /// </summary>
    public static bool Decomposes(
        NeuralOdeModel model, int sample, double lower, double upper, IntervalQuestion question,
        InnerOptions options) =>
        question.Norm == LogNormKind.Two && !InnerSolver.IsSingleSolve(model.Samples[sample], lower, upper, options);

    /// <summary>φ for the box: the worst sample (the first of equals), exact when every sample was.</summary>
    public static WorstCase Worst(NeuralOdeModel model, IReadOnlyList<InnerResult> results)
    {
        var worst = 0;
        for (var s = 1; s < results.Count; s++)
        {
            if (results[s].Value > results[worst].Value)
            {
                worst = s;
            }
        }

        var result = results[worst];
        var offsets = new JacobianChain(model.Samples[worst]).Offsets;
        return new WorstCase(result.Value, worst, result.Slopes, offsets, result.Gradient, result.Residual,
            results.All(r => r.Exact));
    }
}
