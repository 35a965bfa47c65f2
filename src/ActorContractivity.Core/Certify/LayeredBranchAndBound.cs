using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Model;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Certify;

/// <summary>
/// Branch and bound for the flow of a multilayer sample, J(D) = D_L A_L ⋯ D_1 A_1, over the vertices of
/// [ℓ, u]^(n₁+…+n_L). The node bound is a perturbation bound around the node's centre C (fixed slopes at their
/// value, free slopes at the midpoint m, radius r). With P_k = C_k A_k ⋯ C_1 A_1 (P_0 = I) the telescoping sum
///
///     J(D) − J(C) = Σ_k [D_L A_L ⋯ D_{k+1} A_{k+1}] (D_k − C_k) A_k P_{k−1}
///
/// and |D_k − C_k| ≤ r on the free rows F_k of layer k give, by Weyl's inequality,
///
///     λ_max(Sym J(D)) ≤ λ_max(Sym J(C))
///         + Σ_k (∏_{j&gt;k} ‖diag(|c_j| + r_j) A_j‖₂) · r · ‖(A_k P_{k−1})_{F_k,:}‖₂.
///
/// The bound is exact at a leaf and loose near the root (it ignores that the perturbations of different layers
/// can cancel), so on multilayer models the search closes subtrees mostly near the leaves: it decides small
/// models and is budgeted on larger ones. Unlike the one-layer search, its bounds are floating-point values with a
/// relative allowance of <see cref="RelativeAllowance"/> for rounding, not a rounding-error proof.
/// </summary>
public static class LayeredBranchAndBound
{
    /// <summary>The relative allowance added to every node bound for rounding in its dense products.</summary>
    public const double RelativeAllowance = 1e-10;

    /// <summary>Runs the search below <paramref name="root"/> with an optional incumbent (flat slopes).</summary>
    public static BranchAndBoundResult Run(
        Sample sample, double lower, double upper, BranchAndBoundOptions options, double[]? incumbent = null,
        Subtree? root = null)
    {
        var deadline = Deadline.After(options.MaxSeconds);
        var layers = sample.Layers.Select(l => Matrix<double>.Build.Dense(l.Rows, l.Cols, (i, j) => l[i, j])).ToArray();
        var offsets = new int[layers.Length + 1];
        for (var k = 0; k < layers.Length; k++)
        {
            offsets[k + 1] = offsets[k] + layers[k].RowCount;
        }

        var count = offsets[^1];
        var bestVertex = incumbent is not null
            ? (double[])incumbent.Clone()
            : Enumerable.Repeat(upper, count).ToArray();
        var best = Value(layers, offsets, bestVertex);
        var center = 0.5 * (lower + upper);
        var radius = 0.5 * (upper - lower);
        var stack = new Stack<(sbyte[] State, int Depth)>();
        var start = root ?? Subtree.Root;
        stack.Push((BranchAndBound.StateOf(start, count), start.Depth));
        var nodes = 0L;
        var closed = 0.0;
        while (stack.Count > 0 && best <= options.StopAbove)
        {
            if (nodes >= options.MaxNodes || deadline.Passed)
            {
                break;
            }

            var (state, depth) = stack.Pop();
            nodes++;
            var threshold = Math.Max(best, options.PruneAtOrBelow);
            var slopes = new double[count];
            for (var i = 0; i < count; i++)
            {
                slopes[i] = state[i] switch { 1 => upper, -1 => lower, _ => center };
            }

            if (depth == count)
            {
                var value = BranchAndBound.Finite(Value(layers, offsets, slopes), "a vertex value");
                if (value > best)
                {
                    (best, bestVertex) = (value, slopes);
                }

                closed += Math.Pow(2, -depth);
                continue;
            }

            var (bound, contributions) = NodeBound(layers, offsets, state, slopes, radius);
            BranchAndBound.Finite(bound, "a node bound");
            if (bound <= threshold)
            {
                closed += Math.Pow(2, -depth);
                continue;
            }

            var branch = -1;
            for (var i = 0; i < count; i++)
            {
                if (state[i] == 0 && (branch < 0 || contributions[i] > contributions[branch]))
                {
                    branch = i;
                }
            }

            var first = (sbyte[])state.Clone();
            var second = (sbyte[])state.Clone();
            first[branch] = -1;
            second[branch] = 1;
            stack.Push((first, depth + 1));
            stack.Push((second, depth + 1));
        }

        var stopped = best > options.StopAbove;
        var open = stopped ? [] : stack.Select(node => BranchAndBound.SubtreeOf(node.State)).ToArray();
        return new BranchAndBoundResult(stopped || stack.Count == 0, best, bestVertex, nodes, closed, open);
    }

    /// <summary>
    /// The node bound of the whole box [lower, upper]^(n₁+…+n_L): an upper bound on every vertex.
    /// </summary>
    public static double BoxBound(Sample sample, double lower, double upper)
    {
        var layers = sample.Layers.Select(l => Matrix<double>.Build.Dense(l.Rows, l.Cols, (i, j) => l[i, j])).ToArray();
        var offsets = new int[layers.Length + 1];
        for (var k = 0; k < layers.Length; k++)
        {
            offsets[k + 1] = offsets[k] + layers[k].RowCount;
        }

        var count = offsets[^1];
        var centres = Enumerable.Repeat(0.5 * (lower + upper), count).ToArray();
        return NodeBound(layers, offsets, new sbyte[count], centres, 0.5 * (upper - lower)).Bound;
    }

    /// <summary>λ_max(Sym J) at the given slopes.</summary>
    private static double Value(Matrix<double>[] layers, int[] offsets, double[] slopes)
    {
        var product = Matrix<double>.Build.DenseIdentity(layers[0].ColumnCount);
        for (var k = 0; k < layers.Length; k++)
        {
            product = Scale(layers[k] * product, slopes, offsets[k]);
        }

        return TopOfSymmetricPart(product);
    }

    /// <summary>The node bound and, per free slope, its share of the perturbation term (for branching).</summary>
    private static (double Bound, double[] Contributions) NodeBound(
        Matrix<double>[] layers, int[] offsets, sbyte[] state, double[] centres, double radius)
    {
        var count = centres.Length;
        var contributions = new double[count];
        var last = layers.Length;

        // suffix[k] = ∏_{j>k} ‖diag(|c_j| + r_j) A_j‖₂ with r_j the radius on free rows of layer j.
        var suffix = new double[last + 1];
        suffix[last] = 1.0;
        for (var k = last - 1; k >= 0; k--)
        {
            var magnitudes = new double[layers[k].RowCount];
            for (var i = 0; i < magnitudes.Length; i++)
            {
                var flat = offsets[k] + i;
                magnitudes[i] = Math.Abs(centres[flat]) + (state[flat] == 0 ? radius : 0.0);
            }

            suffix[k] = suffix[k + 1] * Scale(layers[k], magnitudes, 0).L2Norm();
        }

        var product = Matrix<double>.Build.DenseIdentity(layers[0].ColumnCount);
        var perturbation = 0.0;
        for (var k = 0; k < last; k++)
        {
            var pre = layers[k] * product;
            var free = Enumerable.Range(0, pre.RowCount).Where(i => state[offsets[k] + i] == 0).ToArray();
            if (free.Length > 0)
            {
                var rows = Matrix<double>.Build.Dense(free.Length, pre.ColumnCount, (i, j) => pre[free[i], j]);
                var term = suffix[k + 1] * radius * rows.L2Norm();
                perturbation += term;
                foreach (var i in free)
                {
                    contributions[offsets[k] + i] = suffix[k + 1] * radius * pre.Row(i).L2Norm();
                }
            }

            product = Scale(pre, centres, offsets[k]);
        }

        var top = TopOfSymmetricPart(product);
        var bound = top + perturbation;
        return (bound + RelativeAllowance * (Math.Abs(top) + perturbation + product.FrobeniusNorm()), contributions);
    }

    private static Matrix<double> Scale(Matrix<double> m, double[] slopes, int offset)
    {
        var result = m.Clone();
        for (var i = 0; i < result.RowCount; i++)
        {
            result.SetRow(i, result.Row(i) * slopes[offset + i]);
        }

        return result;
    }

    private static double TopOfSymmetricPart(Matrix<double> j)
    {
        var n = j.RowCount;
        var symmetric = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                symmetric[r * n + c] = 0.5 * (j[r, c] + j[c, r]);
            }
        }

        return DenseSymmetric.LargestEigenvalue(symmetric, n, new double[2 * n]);
    }
}
