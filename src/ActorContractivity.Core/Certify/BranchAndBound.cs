using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Certify;

/// <summary>
/// A subtree of the branch and bound: the slopes fixed so far (index and whether at the upper bound). Subtrees
/// are independent, so each can run as a task of its own.
/// </summary>
public sealed record Subtree(int[] FixedIndices, bool[] AtUpper)
{
    /// <summary>The whole tree: nothing fixed.</summary>
    public static Subtree Root { get; } = new([], []);

    /// <summary>The depth (number of fixed slopes).</summary>
    public int Depth => FixedIndices.Length;
}

/// <summary>Budget and purpose of a branch and bound run.</summary>
/// <param name="StopAbove">Stop as soon as a vertex with F above this is found (c for a decision, +∞ for the
/// exact maximum).</param>
/// <param name="PruneAtOrBelow">Subtrees proven to stay at or below this are closed (c for a decision; the
/// incumbent always prunes as well).</param>
/// <param name="MaxNodes">Node budget.</param>
/// <param name="MaxSeconds">Time budget.</param>
/// <param name="Seed">Seed of the eigen-solver start vectors.</param>
public sealed record BranchAndBoundOptions(
    double StopAbove = double.PositiveInfinity,
    double PruneAtOrBelow = double.NegativeInfinity,
    long MaxNodes = 200_000,
    double MaxSeconds = 60,
    int Seed = 0)
{
    /// <summary>Eigen-solver settings for the bound minimisations.</summary>
    public LanczosOptions Lanczos { get; init; } = LanczosOptions.Default;
}

/// <summary>The outcome of a branch and bound run.</summary>
/// <param name="Complete">True when every subtree was closed (or a decision was reached) within the budget; false
/// also when a decision met a vertex within rounding of the threshold, which no floating-point check can
/// settle.</param>
/// <param name="Maximum">The best vertex value found; the exact maximum when complete and not stopped early.</param>
/// <param name="Vertex">The slopes of that vertex.</param>
/// <param name="Nodes">Nodes processed.</param>
/// <param name="ClosedFraction">Share of the 2^n vertices in closed subtrees (pruned or evaluated).</param>
/// <param name="Open">Subtrees left open when the budget ran out.</param>
public sealed record BranchAndBoundResult(
    bool Complete, double Maximum, double[] Vertex, long Nodes, double ClosedFraction, IReadOnlyList<Subtree> Open)
{
    /// <summary>
    /// For a one-layer search: the bound's multipliers at the parent of each open subtree (same order as
    /// <see cref="Open"/>), from which a search that resumes it warm-starts; empty otherwise.
    /// </summary>
    public IReadOnlyList<double[]?> OpenMultipliers { get; init; } = [];
}

/// <summary>
/// Exact maximum of F(D) = λ_max(Sym(DA)) over the vertices of [ℓ, u]^n for one layer, or an exact decision of
/// F ≤ c, by depth-first branch and bound (DESIGN §1.5). A node fixes some slopes at ℓ or u; the matrix cube bound
/// with those slopes at zero radius bounds every vertex below it. A node is closed only when the dense
/// Cholesky check proves its bound (Lanczos estimates alone never prune), so a complete run is a proof. Every
/// node also rounds the bound's eigenvector to a vertex by the sign of x_i (A x)_i and evaluates it exactly,
/// which keeps the incumbent — and with it the pruning threshold — high.
/// </summary>
public static class BranchAndBound
{
    /// <summary>
    /// Branch and bound for the flow of any sample: the matrix cube search for one layer, the perturbation-bound
    /// search of <see cref="LayeredBranchAndBound"/> for several.
    /// </summary>
    public static BranchAndBoundResult Run(
        Sample sample, double lower, double upper, BranchAndBoundOptions options, double[]? incumbent = null,
        Subtree? root = null, double[]? multipliers = null) =>
        sample.Layers.Count == 1
            ? Run(sample.Layers[0], lower, upper, options, incumbent, root, multipliers)
            : LayeredBranchAndBound.Run(sample, lower, upper, options, incumbent, root);

    /// <summary>
    /// Runs the search below <paramref name="root"/> with an optional incumbent vertex, the root's bound minimised
    /// from <paramref name="multipliers"/> when given (as its children start from its own).
    /// </summary>
    public static BranchAndBoundResult Run(
        Matrix a, double lower, double upper, BranchAndBoundOptions options, double[]? incumbent = null,
        Subtree? root = null, double[]? multipliers = null)
    {
        var n = a.Rows;
        var deadline = Deadline.After(options.MaxSeconds);
        var random = new Random(options.Seed);
        var evaluator = new VertexValue(a);
        var bestVertex = incumbent is not null ? (double[])incumbent.Clone() : Enumerable.Repeat(upper, n).ToArray();
        var best = evaluator.Of(bestVertex);
        var (center, radius) = MatrixCubeBound.Cover(lower, upper);
        var stack = new Stack<(sbyte[] State, int Depth, double[]? Lambda)>();
        stack.Push((StateOf(root ?? Subtree.Root, n), (root ?? Subtree.Root).Depth, multipliers));
        var nodes = 0L;
        var closed = 0.0;
        var undecided = 0;
        while (stack.Count > 0 && best <= options.StopAbove)
        {
            if (nodes >= options.MaxNodes || deadline.Passed)
            {
                break;
            }

            var (state, depth, parentLambda) = stack.Pop();
            nodes++;
            var threshold = Math.Max(best, options.PruneAtOrBelow);
            if (depth == n)
            {
                var vertex = VertexOf(state, lower, upper);
                var value = Finite(evaluator.Of(vertex), "a vertex value");
                if (value > best)
                {
                    (best, bestVertex) = (value, vertex);
                }

                // In a decision a leaf below c is closed by the same rounding-aware Cholesky check as the nodes
                // (radius zero: M = Sym(DA) itself); a leaf within rounding of c stays undecided.
                if (double.IsFinite(options.PruneAtOrBelow) && value <= options.StopAbove
                    && !new MatrixCubeBound(a, vertex, new double[n]).ProvesBelow(Unit(n), options.PruneAtOrBelow))
                {
                    undecided++;
                    continue;
                }

                closed += Math.Pow(2, -depth);
                continue;
            }

            var centers = new double[n];
            var radii = new double[n];
            for (var i = 0; i < n; i++)
            {
                (centers[i], radii[i]) = state[i] switch
                {
                    1 => (upper, 0.0),
                    -1 => (lower, 0.0),
                    _ => (center, radius),
                };
            }

            var bound = new MatrixCubeBound(a, centers, radii);
            var (estimate, lambda) = bound.Minimise(
                parentLambda, options.Lanczos, random, target: threshold, deadline: deadline);
            Finite(estimate, "a node bound");
            if (estimate <= threshold && bound.ProvesBelow(lambda, threshold))
            {
                closed += Math.Pow(2, -depth);
                continue;
            }

            if (deadline.Passed)
            {
                // The minimisation was cut short: the node stays open, as it was, for whoever resumes it.
                stack.Push((state, depth, parentLambda));
                break;
            }

            // Round the bound's eigenvector to a vertex of this subtree and evaluate it exactly.
            var (_, v, _, _) = bound.Evaluate(lambda, [], options.Lanczos, random);
            var av = new double[n];
            a.Multiply(v, av);
            var rounded = new double[n];
            for (var i = 0; i < n; i++)
            {
                rounded[i] = state[i] switch { 1 => upper, -1 => lower, _ => v[i] * av[i] > 0 ? upper : lower };
            }

            var roundedValue = Finite(evaluator.Of(rounded), "a vertex value");
            if (roundedValue > best)
            {
                (best, bestVertex) = (roundedValue, rounded);
                threshold = Math.Max(best, options.PruneAtOrBelow);
                if (estimate <= threshold && bound.ProvesBelow(lambda, threshold))
                {
                    closed += Math.Pow(2, -depth);
                    continue;
                }
            }

            // Branch on the free slope with the largest weight in the bound's top eigenvector.
            var branch = -1;
            var weight = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                var w = Math.Abs(v[i] * av[i]) + Math.Abs(v[i]) * 1e-12;
                if (state[i] == 0 && w > weight)
                {
                    (branch, weight) = (i, w);
                }
            }

            var preferUpper = v[branch] * av[branch] > 0;
            var first = (sbyte[])state.Clone();
            var second = (sbyte[])state.Clone();
            first[branch] = (sbyte)(preferUpper ? -1 : 1);
            second[branch] = (sbyte)(preferUpper ? 1 : -1);
            stack.Push((first, depth + 1, lambda));
            stack.Push((second, depth + 1, lambda));
        }

        var stopped = best > options.StopAbove;
        var open = stopped ? [] : stack.Select(node => SubtreeOf(node.State)).ToArray();
        return new BranchAndBoundResult(
            stopped || (stack.Count == 0 && undecided == 0), best, bestVertex, nodes, closed, open)
        {
            OpenMultipliers = stopped ? [] : stack.Select(node => node.Lambda).ToArray(),
        };
    }

    private static double[] Unit(int n) => Enumerable.Repeat(1.0, n).ToArray();

    /// <summary>The value, or an error when it is NaN or infinite: such a value must not close a subtree.</summary>
    internal static double Finite(double value, string what) => double.IsFinite(value)
        ? value
        : throw new InvalidOperationException($"{what} of the branch and bound evaluated to {value}: the "
            + "computation left the floating-point range, so it proves nothing");

    internal static sbyte[] StateOf(Subtree subtree, int n)
    {
        var state = new sbyte[n];
        for (var k = 0; k < subtree.FixedIndices.Length; k++)
        {
            state[subtree.FixedIndices[k]] = (sbyte)(subtree.AtUpper[k] ? 1 : -1);
        }

        return state;
    }

    internal static Subtree SubtreeOf(sbyte[] state)
    {
        var indices = Enumerable.Range(0, state.Length).Where(i => state[i] != 0).ToArray();
        return new Subtree(indices, indices.Select(i => state[i] == 1).ToArray());
    }

    private static double[] VertexOf(sbyte[] state, double lower, double upper) =>
        state.Select(s => s == 1 ? upper : lower).ToArray();

    /// <summary>F at a vertex: λ_max(Sym(DA)) by the dense reduction and bisection.</summary>
    private sealed class VertexValue(Matrix a)
    {
        private readonly double[] _symmetric = new double[a.Rows * a.Rows];
        private readonly double[] _work = new double[2 * a.Rows];

        public double Of(double[] slopes)
        {
            var n = a.Rows;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    _symmetric[i * n + j] = 0.5 * (slopes[i] * a[i, j] + slopes[j] * a[j, i]);
                }
            }

            return DenseSymmetric.LargestEigenvalue(_symmetric, n, _work);
        }
    }
}
