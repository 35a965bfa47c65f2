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
        if (lower == upper)
        {
            return Point(sample, sampleIndex, lower, discreteStep, options);
        }

        if (sample.DiagonalCount <= options.EnumerationLimit)
        {
            return Enumerate(sample, sampleIndex, lower, upper, discreteStep, options);
        }

        var starts = StartPoints(sample.DiagonalCount, lower, upper, options, sampleIndex, warm);
        var polishAll = PolishesEveryClimb(sample);
        var climbs = new Climb[starts.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, starts.Count, parallel, s =>
            climbs[s] = ClimbFrom(sample, sampleIndex, lower, upper, discreteStep, options, s, starts[s], polishAll));
        return Finish(sample, sampleIndex, lower, upper, discreteStep, options, climbs);
    }

    /// <summary>
    /// True when every climb of the sample is polished right after it (at most 64 slopes); above that only the
    /// best <see cref="PolishedStartsWhenLarge"/> climbs are, by <see cref="Finish"/>, once all are known.
    /// </summary>
    public static bool PolishesEveryClimb(Sample sample) => sample.DiagonalCount <= 64;

    /// <summary>True when the box has one point or the sample is enumerated: one call of <see cref="Solve"/>.</summary>
    public static bool IsSingleSolve(Sample sample, double lower, double upper, InnerOptions options) =>
        lower == upper || sample.DiagonalCount <= options.EnumerationLimit;

    /// <summary>
    /// One start of the gradient search, independent of every other start: its random numbers come from the seed,
    /// the sample and the start index only, so the starts of <see cref="Solve"/> may run anywhere, in any order.
    /// </summary>
    /// <param name="sample">The layers.</param>
    /// <param name="sampleIndex">Index of the sample.</param>
    /// <param name="lower">ℓ.</param>
    /// <param name="upper">u.</param>
    /// <param name="discreteStep">Explicit Euler step h, or null for the flow.</param>
    /// <param name="options">Seed and budgets.</param>
    /// <param name="startIndex">Index of the start in <see cref="StartPoints"/>.</param>
    /// <param name="start">The start.</param>
    /// <param name="polish">Polish the vertex reached (see <see cref="PolishesEveryClimb"/>).</param>
    public static Climb ClimbFrom(
        Sample sample, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        int startIndex, WarmStart start, bool polish)
    {
        var random = new Random(SeedFor(options.Seed, sampleIndex, startIndex));
        var ascent = new Ascent(new SlopeObjective(sample, discreteStep, SearchLanczos(options)), lower, upper,
            options, random);
        var climbed = ascent.Climb(start.Slopes, start.Vector);
        return polish ? ascent.Polish(climbed) : climbed;
    }

    /// <summary>
    /// Combines the climbs of every start (in start order) into the sample's result: polishes the best ones when
    /// <see cref="PolishesEveryClimb"/> is false, takes the best (the first of equals) and evaluates it again at
    /// the full eigen-tolerance. Deterministic in its inputs, wherever the climbs ran.
    /// </summary>
    public static InnerResult Finish(
        Sample sample, int sampleIndex, double lower, double upper, double? discreteStep, InnerOptions options,
        IReadOnlyList<Climb> climbs)
    {
        var results = climbs.ToArray();
        if (!PolishesEveryClimb(sample))
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
                var objective = new SlopeObjective(sample, discreteStep, SearchLanczos(options));
                results[s] = new Ascent(objective, lower, upper, options, random, results[s]).Polish(results[s]);
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
        var final = new SlopeObjective(sample, discreteStep, options.Lanczos)
            .Evaluate(winner.Slopes, winner.Vector, new Random(SeedFor(options.Seed, sampleIndex, -2)));
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
    /// of the squared residual); the witness is evaluated again at the full tolerance by <see cref="Finish"/>.
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
    private static InnerResult Point(Sample sample, int sampleIndex, double slope, double? discreteStep, InnerOptions options)
    {
        var slopes = Enumerable.Repeat(slope, sample.DiagonalCount).ToArray();
        var objective = new SlopeObjective(sample, discreteStep, options.Lanczos);
        var evaluation = objective.Evaluate(slopes, [], new Random(SeedFor(options.Seed, sampleIndex, 0)));
        return new InnerResult(evaluation.Value, slopes, evaluation.Vector, evaluation.Gradient, evaluation.Residual,
            Exact: true, GradientSteps: 0, Evaluations: 1, Products: evaluation.Products, Vertices: 1);
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

    /// <summary>One start: projected gradient ascent, then vertex polish, repeated while a flip helps.</summary>
    private sealed class Ascent(
        SlopeObjective objective, double lower, double upper, InnerOptions options, Random random,
        Climb? spent = null)
    {
        private int _steps = spent?.Steps ?? 0;
        private int _evaluations = spent?.Evaluations ?? 0;
        private long _products = spent?.Products ?? 0;

        /// <summary>Climbs from a start to a vertex.</summary>
        public Climb Climb(double[] start, double[]? warmVector)
        {
            var slopes = (double[])start.Clone();
            var current = Climb(slopes, Evaluate(slopes, warmVector));
            return Outcome(current, slopes);
        }

        /// <summary>Polishes a climbed vertex by single flips.</summary>
        public Climb Polish(Climb climbed)
        {
            var slopes = (double[])climbed.Slopes.Clone();
            var current = Polish(slopes, climbed.Evaluation);
            return Outcome(current, slopes);
        }

        private Climb Outcome(Evaluation current, double[] slopes) =>
            new(current, slopes, _steps, _evaluations, _products);

        private Evaluation Evaluate(double[] slopes, double[]? warm)
        {
            var evaluation = objective.Evaluate(slopes, warm ?? [], random);
            _evaluations++;
            _products += evaluation.Products;
            return evaluation;
        }

        private double Slack(double value) => 1e-12 * Math.Max(1.0, Math.Abs(value));

        /// <summary>Projected gradient steps with an adaptive step until the projection stops moving.</summary>
        private Evaluation Climb(double[] slopes, Evaluation current)
        {
            var width = upper - lower;
            var largest = current.Gradient.Max(Math.Abs);
            if (largest == 0)
            {
                return current;
            }

            // Convexity makes every step size an ascent step, so start where the median slope already reaches
            // its bound and grow fast: the iteration becomes the sign iteration (h → ∞) within a few steps.
            var magnitudes = current.Gradient.Select(Math.Abs).Where(g => g > 0).Order().ToArray();
            var step = width / magnitudes[magnitudes.Length / 2];
            var trial = new double[slopes.Length];
            var rejections = 0;
            for (var k = 0; k < options.MaxSteps && rejections < 12; k++)
            {
                var moved = false;
                for (var i = 0; i < slopes.Length; i++)
                {
                    trial[i] = Math.Clamp(slopes[i] + step * current.Gradient[i], lower, upper);
                    moved |= trial[i] != slopes[i];
                }

                if (!moved)
                {
                    break;
                }

                var next = Evaluate(trial, current.Vector);
                if (next.Value >= current.Value - Slack(current.Value))
                {
                    var gain = next.Value - current.Value;
                    trial.CopyTo(slopes, 0);
                    current = next;
                    _steps++;
                    step *= 4;
                    if (gain <= Slack(current.Value) && IsVertex(slopes))
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

            return SnapToVertex(slopes, current);
        }

        /// <summary>
        /// Moves remaining interior slopes to the bound their gradient favours. By convexity the vertex that
        /// maximises the linearisation is at least as good as the current point.
        /// </summary>
        private Evaluation SnapToVertex(double[] slopes, Evaluation current)
        {
            if (IsVertex(slopes))
            {
                return current;
            }

            var vertex = new double[slopes.Length];
            for (var i = 0; i < slopes.Length; i++)
            {
                vertex[i] = slopes[i] == lower || slopes[i] == upper
                    ? slopes[i]
                    : current.Gradient[i] > 0 ? upper : lower;
            }

            var snapped = Evaluate(vertex, current.Vector);
            if (snapped.Value >= current.Value - Slack(current.Value))
            {
                vertex.CopyTo(slopes, 0);
                return snapped;
            }

            return current;
        }

        private bool IsVertex(double[] slopes) => slopes.All(v => v == lower || v == upper);

        /// <summary>
        /// Tries single-slope flips, most promising first; a flip that raises F is taken and the climb resumes
        /// from it. F is convex, so a flip can help even when its first-order gain is negative.
        /// </summary>
        private Evaluation Polish(double[] slopes, Evaluation current)
        {
            var limit = options.PolishCandidates > 0 ? options.PolishCandidates : slopes.Length <= 64 ? slopes.Length : 12;
            limit = Math.Min(limit, slopes.Length);
            var trial = new double[slopes.Length];

            // Limitation: on samples above 64 slopes polishing stops after a fixed number of eigen-solves, so a
            // long chain of improving flips is cut short; the witness is then a little less severe.
            var budget = slopes.Length <= 64 ? int.MaxValue : _evaluations + LargePolishBudget;
            for (var round = 0; round < 4 * slopes.Length && _evaluations < budget; round++)
            {
                var promise = FlipPromise(slopes, current);
                var order = Enumerable.Range(0, slopes.Length)
                    .Where(i => slopes[i] == lower || slopes[i] == upper)
                    .OrderByDescending(i => promise[i])
                    .Take(limit);
                var improved = false;
                foreach (var i in order)
                {
                    slopes.CopyTo(trial, 0);
                    trial[i] = Other(slopes[i]);
                    var flipped = Evaluate(trial, current.Vector);
                    if (flipped.Value > current.Value + Slack(current.Value))
                    {
                        trial.CopyTo(slopes, 0);
                        current = Climb(slopes, flipped);
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

        /// <summary>
        /// How promising each single flip is. For a one-layer flow, the Rayleigh–Ritz value of the flipped
        /// Sym(D'A) on span{x, e_i}: a lower bound on its λ_max (Courant–Fischer) that costs O(1) per slope,
        /// because Sym(D'A) − Sym(DA) = δ (e_i a_iᵀ + a_i e_iᵀ)/2 touches only row and column i. Otherwise the
        /// first-order gain δ G_i.
        /// </summary>
        private double[] FlipPromise(double[] slopes, Evaluation current)
        {
            var promise = new double[slopes.Length];
            var sample = objective.Sample;
            if (objective.DiscreteStep is not null || sample.Layers.Count != 1)
            {
                for (var i = 0; i < slopes.Length; i++)
                {
                    promise[i] = current.Gradient[i] * (Other(slopes[i]) - slopes[i]);
                }

                return promise;
            }

            var a = sample.Layers[0];
            var x = current.Vector;
            var ax = new double[x.Length];
            a.Multiply(x, ax);
            var lambda = current.Value;
            for (var i = 0; i < slopes.Length; i++)
            {
                var delta = Other(slopes[i]) - slopes[i];
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

        private double Other(double bound) => bound == lower ? upper : lower;
    }
}
