using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Enumeration;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Inner;

/// <summary>Settings of the inner (worst slope pattern) search.</summary>
/// <param name="Starts">Independent starts of the gradient system.</param>
/// <param name="Seed">Seed of the random starts; results depend only on it, not on thread timing.</param>
/// <param name="MaxSteps">Projected-gradient steps per start.</param>
/// <param name="PolishCandidates">Single-slope flips tried per polish round, most promising first; 0 means all
/// of them for samples of at most 64 slopes and 12 above.</param>
/// <param name="EnumerationLimit">Samples with at most this many slopes are enumerated exactly.</param>
/// <param name="MaxDegreeOfParallelism">Threads for independent starts and enumeration chunks; −1 for all.</param>
public sealed record InnerOptions(
    int Starts = 8,
    int Seed = 0,
    int MaxSteps = 200,
    int PolishCandidates = 0,
    int EnumerationLimit = 20,
    int MaxDegreeOfParallelism = -1)
{
    /// <summary>Eigen-solver settings.</summary>
    public LanczosOptions Lanczos { get; init; } = LanczosOptions.Default;
}

/// <summary>A starting vertex of the gradient system and, if known, the eigenvector there.</summary>
/// <param name="Slopes">Flat slopes D_1 … D_k.</param>
/// <param name="Vector">The top eigenvector at these slopes, or null.</param>
public sealed record WarmStart(double[] Slopes, double[]? Vector);

/// <summary>Where one start of the gradient search ended, and the work it spent (counted from its start).</summary>
/// <param name="Evaluation">F, the eigenvector and the gradient at the vertex reached.</param>
/// <param name="Slopes">The vertex reached.</param>
/// <param name="Steps">Accepted gradient steps.</param>
/// <param name="Evaluations">Objective evaluations (eigen solves).</param>
/// <param name="Products">Products with J or Jᵀ.</param>
public sealed record Climb(Evaluation Evaluation, double[] Slopes, int Steps, int Evaluations, long Products)
{
    /// <summary>F at the vertex reached.</summary>
    public double Value => Evaluation.Value;

    /// <summary>The top eigenvector there.</summary>
    public double[] Vector => Evaluation.Vector;
}

/// <summary>The worst slope pattern found for one sample and one box.</summary>
/// <param name="Value">F at <paramref name="Slopes"/> (recomputed there).</param>
/// <param name="Slopes">The witness: flat D_1 … D_k, a vertex of the box.</param>
/// <param name="Vector">Top eigenvector at the witness.</param>
/// <param name="Gradient">∂F/∂d at the witness.</param>
/// <param name="Residual">Eigen-solver residual at the witness (φ scale).</param>
/// <param name="Exact">True when the vertices were enumerated, so the value is the maximum.</param>
/// <param name="GradientSteps">Accepted gradient steps over all starts.</param>
/// <param name="Evaluations">Objective evaluations (eigen solves) over all starts.</param>
/// <param name="Products">Products with J or Jᵀ over all starts.</param>
/// <param name="Vertices">Vertices enumerated (0 when not enumerated).</param>
public sealed record InnerResult(
    double Value,
    double[] Slopes,
    double[] Vector,
    double[] Gradient,
    double Residual,
    bool Exact,
    int GradientSteps,
    int Evaluations,
    long Products,
    long Vertices)
{
    /// <summary>Where every start ended, best first (empty when enumerated): warm starts for a nearby box.</summary>
    public IReadOnlyList<WarmStart> Climbs { get; init; } = [];
}

/// <summary>
/// Inner level (DESIGN §1.2): maximise F(D) over the box [ℓ, u]^(n₁+…+n_k). F is convex in each D_j, so every
/// projected step D ← clip(D + hG) that the linearisation favours cannot decrease F in exact arithmetic; the
/// step size still adapts (growing fourfold on success, shrinking on a numerical decrease). Iterates end at vertices,
/// where single-slope flips polish them. Several seeded starts run independently; the best is the witness, a
/// lower bound on the true maximum unless the sample is small enough to enumerate.
/// </summary>
public static class InnerSolver
{
    /// <summary>Relative eigen-residual used while searching.</summary>
    public const double SearchTolerance = 1e-6;

    /// <summary>Starts whose climbs are polished when a sample has more than 64 slopes.</summary>
    public const int PolishedStartsWhenLarge = 2;

    /// <summary>Eigen-solves one polish may spend when a sample has more than 64 slopes.</summary>
    public const int LargePolishBudget = 40;

    /// <summary>Finds the worst slope pattern of one sample in the box [lower, upper].</summary>
    /// <param name="sample">The layers.</param>
    /// <param name="sampleIndex">Index of the sample (salts the seed so samples get different starts).</param>
    /// <param name="lower">ℓ.</param>
    /// <param name="upper">u.</param>
    /// <param name="discreteStep">Explicit Euler step h, or null for the flow.</param>
    /// <param name="options">Starts, seed and budgets.</param>
    /// <param name="warm">Vertices (with eigenvectors) reached by the starts of a previous, nearby box, already
    /// mapped into this one; they replace the fresh starts, so an outer iteration keeps its starts' progress.</param>
    public static InnerResult Solve(
        Sample sample,
        int sampleIndex,
        double lower,
        double upper,
        double? discreteStep,
        InnerOptions options,
        IReadOnlyList<WarmStart>? warm = null)
    {
        if (lower != upper && sample.DiagonalCount <= options.EnumerationLimit)
        {
            return Enumerate(sample, sampleIndex, lower, upper, discreteStep, options);
        }

        return Solve(BlockPipeline.Whole(sample), sampleIndex, lower, upper, discreteStep, options, warm);
    }

    /// <summary>
    /// <see cref="Solve(Sample, int, double, double, double?, InnerOptions, IReadOnlyList{WarmStart}?)"/> with the
    /// products with J and Jᵀ pipelined through the blocks of <paramref name="pipeline"/>, which keep the slopes and
    /// gradients of every climb. The arithmetic is the same whatever the split, so the result is the same bit for
    /// bit. It never enumerates: a sample small enough for that is not worth splitting.
    /// </summary>
    public static InnerResult Solve(
        BlockPipeline pipeline, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        IReadOnlyList<WarmStart>? warm = null)
    {
        if (lower == upper)
        {
            return Point(pipeline, sampleIndex, lower, discreteStep, options);
        }

        var starts = StartPoints(pipeline.SlopeCount, lower, upper, options, sampleIndex, warm);
        var polishAll = PolishesEveryClimb(pipeline.SlopeCount);
        var climbs = new Climb[starts.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, starts.Count, parallel, s =>
            climbs[s] = ClimbFrom(pipeline, sampleIndex, lower, upper, discreteStep, options, s, starts[s], polishAll));
        return Finish(pipeline, sampleIndex, lower, upper, discreteStep, options, climbs);
    }

    /// <summary>
    /// True when every climb of the sample is polished right after it (at most 64 slopes); above that only the
    /// best <see cref="PolishedStartsWhenLarge"/> climbs are, by <see cref="Finish(Sample, int, double, double,
    /// double?, InnerOptions, IReadOnlyList{Climb})"/>, once all are known.
    /// </summary>
    public static bool PolishesEveryClimb(Sample sample) => PolishesEveryClimb(sample.DiagonalCount);

    /// <summary>True when every climb of a sample with this many slopes is polished right after it.</summary>
    public static bool PolishesEveryClimb(int slopeCount) => slopeCount <= 64;

    /// <summary>True when the box has one point or the sample is enumerated: one call of <see cref="Solve(Sample,
    /// int, double, double, double?, InnerOptions, IReadOnlyList{WarmStart}?)"/>.</summary>
    public static bool IsSingleSolve(Sample sample, double lower, double upper, InnerOptions options) =>
        lower == upper || sample.DiagonalCount <= options.EnumerationLimit;

    /// <summary>
    /// One start of the gradient search, independent of every other start: its random numbers come from the seed,
    /// the sample and the start index only, so the starts of a solve may run anywhere, in any order.
    /// </summary>
    /// <param name="sample">The layers.</param>
    /// <param name="sampleIndex">Index of the sample.</param>
    /// <param name="lower">ℓ.</param>
    /// <param name="upper">u.</param>
    /// <param name="discreteStep">Explicit Euler step h, or null for the flow.</param>
    /// <param name="options">Seed and budgets.</param>
    /// <param name="startIndex">Index of the start in <see cref="StartPoints"/>.</param>
    /// <param name="start">The start.</param>
    /// <param name="polish">Polish the vertex reached (see <see cref="PolishesEveryClimb(Sample)"/>).</param>
    public static Climb ClimbFrom(
        Sample sample, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        int startIndex, WarmStart start, bool polish) =>
        ClimbFrom(BlockPipeline.Whole(sample), sampleIndex, lower, upper, discreteStep, options, startIndex, start,
            polish);

    /// <summary>One start of the gradient search through the blocks of <paramref name="pipeline"/>.</summary>
    public static Climb ClimbFrom(
        BlockPipeline pipeline, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        int startIndex, WarmStart start, bool polish)
    {
        var random = new Random(SeedFor(options.Seed, sampleIndex, startIndex));
        var ascent = new Ascent(pipeline, discreteStep, SearchLanczos(options), lower, upper, options, random);
        return ascent.Climb(start.Slopes, start.Vector, polish);
    }

    /// <summary>
    /// Combines the climbs of every start (in start order) into the sample's result: polishes the best ones when
    /// <see cref="PolishesEveryClimb(Sample)"/> is false, takes the best (the first of equals) and evaluates it again
    /// at the full eigen-tolerance. Deterministic in its inputs, wherever the climbs ran.
    /// </summary>
    public static InnerResult Finish(
        Sample sample, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        IReadOnlyList<Climb> climbs) =>
        Finish(BlockPipeline.Whole(sample), sampleIndex, lower, upper, discreteStep, options, climbs);

    /// <summary>The combination of the climbs, with products through the blocks of a pipeline.</summary>
    public static InnerResult Finish(
        BlockPipeline pipeline, int sampleIndex, double lower, double upper, double? discreteStep,
        InnerOptions options, IReadOnlyList<Climb> climbs)
    {
        var results = climbs.ToArray();
        if (!PolishesEveryClimb(pipeline.SlopeCount))
        {
            // Polishing costs a few eigen-solves per flip tried; on large samples only the best climbs are
            // polished. Each polish draws from its own seed, so it does not depend on where its climb ran.
            var toPolish = Enumerable.Range(0, results.Length)
                .OrderByDescending(s => results[s].Value).ThenBy(s => s)
                .Take(Math.Min(results.Length, PolishedStartsWhenLarge)).ToArray();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
            Parallel.ForEach(toPolish, parallel, s =>
            {
                var random = new Random(SeedFor(options.Seed, sampleIndex, -3 - s));
                results[s] = new Ascent(pipeline, discreteStep, SearchLanczos(options), lower, upper, options, random,
                    results[s]).Polish(results[s]);
            });
        }

        var best = 0;
        for (var s = 1; s < results.Length; s++)
        {
            if (results[s].Value > results[best].Value)
            {
                best = s;
            }
        }

        var winner = results[best];
        var final = EvaluateAt(pipeline, lower, upper, winner.Slopes, winner.Vector, discreteStep, options.Lanczos,
            new Random(SeedFor(options.Seed, sampleIndex, -2)));
        return new InnerResult(
            final.Value,
            winner.Slopes,
            final.Vector,
            final.Gradient,
            final.Residual,
            Exact: false,
            GradientSteps: results.Sum(r => r.Steps),
            Evaluations: results.Sum(r => r.Evaluations) + 1,
            Products: results.Sum(r => r.Products) + final.Products,
            Vertices: 0)
        {
            Climbs = results.OrderByDescending(r => r.Value)
                .Select(r => new WarmStart(r.Slopes, r.Vector)).ToArray(),
        };
    }

    /// <summary>
    /// The search compares values, so a looser eigen-tolerance suffices (the Ritz value's error is of the order
    /// of the squared residual); the witness is evaluated again at the full tolerance when the climbs are finished.
    /// </summary>
    private static LanczosOptions SearchLanczos(InnerOptions options) => options.Lanczos with
    {
        RelativeTolerance = Math.Max(options.Lanczos.RelativeTolerance, SearchTolerance),
    };

    /// <summary>Exact maximum by enumeration, then the eigenvector and gradient at the maximising vertex.</summary>
    public static InnerResult Enumerate(
        Sample sample, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options)
    {
        var maximum = VertexEnumeration.Maximum(sample, lower, upper, discreteStep, options.MaxDegreeOfParallelism);
        var objective = new SlopeObjective(sample, discreteStep, options.Lanczos);
        var evaluation = objective.Evaluate(maximum.Vertex, [], new Random(SeedFor(options.Seed, sampleIndex, 0)));
        return new InnerResult(
            evaluation.Value,
            maximum.Vertex,
            evaluation.Vector,
            evaluation.Gradient,
            evaluation.Residual,
            Exact: true,
            GradientSteps: 0,
            Evaluations: 1,
            Products: evaluation.Products,
            Vertices: maximum.VerticesVisited);
    }

    /// <summary>The degenerate box D = θI has one point: F there is the answer.</summary>
    private static InnerResult Point(
        BlockPipeline pipeline, int sampleIndex, double slope, double? discreteStep, InnerOptions options)
    {
        var slopes = Enumerable.Repeat(slope, pipeline.SlopeCount).ToArray();
        var evaluation = EvaluateAt(pipeline, slope, slope, slopes, [], discreteStep, options.Lanczos,
            new Random(SeedFor(options.Seed, sampleIndex, 0)));
        return new InnerResult(evaluation.Value, slopes, evaluation.Vector, evaluation.Gradient, evaluation.Residual,
            Exact: true, GradientSteps: 0, Evaluations: 1, Products: evaluation.Products, Vertices: 1);
    }

    /// <summary>F, the eigenvector and the gradient (gathered from the blocks) at one slope pattern.</summary>
    private static Evaluation EvaluateAt(
        BlockPipeline pipeline, double lower, double upper, double[] slopes, ReadOnlySpan<double> warm,
        double? discreteStep, LanczosOptions lanczos, Random random)
    {
        using var climb = pipeline.Open(lower, upper, slopes, []);
        var measured = climb.Evaluate(discreteStep, lanczos, warm, random);
        climb.Accept();
        return measured.WithGradient(climb.Read().Gradient);
    }

    /// <summary>
    /// The starts in order: the warm starts, then D = uI, D = ℓI, the midpoint, then alternately random vertices
    /// and random points of the box, all drawn from the seed, up to the number of starts asked for.
    /// </summary>
    public static List<WarmStart> StartPoints(
        int count, double lower, double upper, InnerOptions options, int sampleIndex, IReadOnlyList<WarmStart>? warm)
    {
        var wanted = Math.Max(options.Starts, 1);
        var starts = new List<WarmStart>();
        foreach (var start in warm ?? [])
        {
            starts.Add(new WarmStart(start.Slopes.Select(v => Math.Clamp(v, lower, upper)).ToArray(), start.Vector));
        }

        starts.Add(new WarmStart(Enumerable.Repeat(upper, count).ToArray(), null));
        starts.Add(new WarmStart(Enumerable.Repeat(lower, count).ToArray(), null));
        starts.Add(new WarmStart(Enumerable.Repeat(0.5 * (lower + upper), count).ToArray(), null));
        var random = new Random(SeedFor(options.Seed, sampleIndex, -1));
        for (var r = 0; starts.Count < wanted; r++)
        {
            var point = new double[count];
            for (var i = 0; i < count; i++)
            {
                var t = random.NextDouble();
                point[i] = r % 2 == 0 ? (t < 0.5 ? lower : upper) : lower + t * (upper - lower);
            }

            starts.Add(new WarmStart(point, null));
        }

        return starts.Take(wanted).ToList();
    }

    private static int SeedFor(int seed, int sampleIndex, int start) =>
        unchecked((seed * 1_000_003) ^ (sampleIndex * 7_919) ^ (start * 104_729 + 17));

    /// <summary>
    /// One start: projected gradient ascent, then vertex polish, repeated while a flip helps. The slopes and the
    /// gradient live in the blocks of the pipeline (<see cref="BlockClimb"/>); the ascent sees only F, the eigenvector
    /// and the scalar answers of the blocks, and gathers the slopes when it is done.
    /// </summary>
    private sealed class Ascent(
        BlockPipeline pipeline, double? discreteStep, LanczosOptions lanczos, double lower, double upper,
        InnerOptions options, Random random, Climb? spent = null)
    {
        private int _steps = spent?.Steps ?? 0;
        private int _evaluations = spent?.Evaluations ?? 0;
        private long _products = spent?.Products ?? 0;

        /// <summary>Climbs from a start to a vertex and, if asked, polishes it there, the slopes staying put.</summary>
        public Climb Climb(double[] start, double[]? warmVector, bool polish)
        {
            using var climb = pipeline.Open(lower, upper, start, []);
            var first = Evaluate(climb, warmVector);
            climb.Accept();
            var climbed = Climb(climb, first);
            return Outcome(climb, polish ? Polish(climb, climbed) : climbed);
        }

        /// <summary>Polishes a climbed vertex by single flips.</summary>
        public Climb Polish(Climb climbed)
        {
            var e = climbed.Evaluation;
            using var climb = pipeline.Open(lower, upper, climbed.Slopes, e.Gradient);
            return Outcome(climb, Polish(climb, new Measurement(e.Value, e.Vector, e.Residual, e.Products, null)));
        }

        private Climb Outcome(BlockClimb climb, Measurement current)
        {
            var (slopes, gradient) = climb.Read();
            return new(current.WithGradient(gradient), slopes, _steps, _evaluations, _products);
        }

        /// <summary>Evaluates the trial point; each block keeps its gradient slice there.</summary>
        private Measurement Evaluate(BlockClimb climb, double[]? warm)
        {
            var evaluation = climb.Evaluate(discreteStep, lanczos, warm ?? [], random);
            _evaluations++;
            _products += evaluation.Products;
            return evaluation;
        }

        private static double Slack(double value) => 1e-12 * Math.Max(1.0, Math.Abs(value));

        /// <summary>Projected gradient steps with an adaptive step until the projection stops moving.</summary>
        private Measurement Climb(BlockClimb climb, Measurement current)
        {
            // Convexity makes every step size an ascent step, so start where the median slope already reaches
            // its bound and grow fast: the iteration becomes the sign iteration (h → ∞) within a few steps.
            if (climb.MedianGradientMagnitude() is not { } median)
            {
                return current;
            }

            var step = (upper - lower) / median;
            var rejections = 0;
            for (var k = 0; k < options.MaxSteps && rejections < 12; k++)
            {
                if (!climb.ProposeStep(step))
                {
                    break;
                }

                var next = Evaluate(climb, current.Vector);
                if (next.Value >= current.Value - Slack(current.Value))
                {
                    var gain = next.Value - current.Value;
                    climb.Accept();
                    current = next;
                    _steps++;
                    step *= 4;
                    if (gain <= Slack(current.Value) && climb.IsVertex())
                    {
                        break;
                    }
                }
                else
                {
                    step *= 0.25;
                    rejections++;
                }
            }

            return SnapToVertex(climb, current);
        }

        /// <summary>
        /// Moves remaining interior slopes to the bound their gradient favours. By convexity the vertex that
        /// maximises the linearisation is at least as good as the current point.
        /// </summary>
        private Measurement SnapToVertex(BlockClimb climb, Measurement current)
        {
            if (climb.IsVertex())
            {
                return current;
            }

            climb.ProposeVertex();
            var snapped = Evaluate(climb, current.Vector);
            if (snapped.Value >= current.Value - Slack(current.Value))
            {
                climb.Accept();
                return snapped;
            }

            return current;
        }

        /// <summary>
        /// Tries single-slope flips, most promising first; a flip that raises F is taken and the climb resumes
        /// from it. F is convex, so a flip can help even when its first-order gain is negative. For a one-layer
        /// flow the promise is a Rayleigh–Ritz value after the flip, otherwise the first-order gain δ G_i.
        /// </summary>
        private Measurement Polish(BlockClimb climb, Measurement current)
        {
            var count = pipeline.SlopeCount;
            var limit = options.PolishCandidates > 0 ? options.PolishCandidates : count <= 64 ? count : 12;
            limit = Math.Min(limit, count);
            var rayleighRitz = discreteStep is null && pipeline.LayerCount == 1;

            // Limitation: on samples above 64 slopes polishing stops after a fixed number of eigen-solves, so a
            // long chain of improving flips is cut short; the witness is then a little less severe.
            var budget = count <= 64 ? int.MaxValue : _evaluations + LargePolishBudget;
            for (var round = 0; round < 4 * count && _evaluations < budget; round++)
            {
                var candidates = climb.FlipCandidates(limit, current.Value, rayleighRitz ? current.Vector : []);
                var improved = false;
                foreach (var candidate in candidates)
                {
                    climb.ProposeFlip(candidate.Slope);
                    var flipped = Evaluate(climb, current.Vector);
                    if (flipped.Value > current.Value + Slack(current.Value))
                    {
                        climb.Accept();
                        current = Climb(climb, flipped);
                        improved = true;
                        break;
                    }
                }

                if (!improved)
                {
                    break;
                }
            }

            return current;
        }
    }
}
