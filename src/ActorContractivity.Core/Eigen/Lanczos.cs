using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Eigen;

/// <summary>Settings of <see cref="Lanczos"/>.</summary>
/// <param name="MaxBasis">Krylov basis size before a thick restart.</param>
/// <param name="KeepOnRestart">Ritz vectors kept across a restart (Krylov–Schur).</param>
/// <param name="RelativeTolerance">Stop when ‖S x − θ x‖ ≤ tolerance · max |Ritz value|.</param>
/// <param name="MaxProducts">Budget of products with S.</param>
/// <param name="DenseBelow">Dimensions below this are solved densely (the fallback for small n).</param>
public sealed record LanczosOptions(
    int MaxBasis = 40,
    int KeepOnRestart = 10,
    double RelativeTolerance = 1e-10,
    int MaxProducts = 3000,
    int DenseBelow = 24)
{
    /// <summary>The settings used unless a caller says otherwise.</summary>
    public static LanczosOptions Default { get; } = new();
}

/// <summary>
/// Top eigenpair of a symmetric operator by the Lanczos process with full reorthogonalisation and thick
/// restarts (the Krylov–Schur form: keep the best Ritz vectors, continue from the common residual direction).
/// The products S V are stored beside the basis V, so Rayleigh–Ritz needs no extra products and the reported
/// residual ‖S x − θ x‖ is computed, not estimated. A warm start from the previous eigenvector is the point:
/// along a gradient path the operator changes little, and a few products suffice.
/// </summary>
public static class Lanczos
{
    /// <summary>
    /// Computes the largest eigenvalue of <paramref name="op"/> and its eigenvector.
    /// </summary>
    /// <param name="op">The symmetric operator.</param>
    /// <param name="warmStart">A guess of the eigenvector, or empty.</param>
    /// <param name="options">Tolerances and budgets.</param>
    /// <param name="random">Source of the random start and of the small random part mixed into a warm start.</param>
    public static EigenPair Largest(
        ISymmetricOperator op, ReadOnlySpan<double> warmStart, LanczosOptions options, Random random)
    {
        var n = op.Dimension;
        if (n < options.DenseBelow)
        {
            return DenseLargest(op);
        }

        var m = Math.Min(options.MaxBasis, n);
        var keep = Math.Clamp(options.KeepOnRestart, 1, m - 1);
        var basis = new double[m][];
        var products = new double[m][];
        for (var i = 0; i < m; i++)
        {
            basis[i] = new double[n];
            products[i] = new double[n];
        }

        var h = new double[m, m];
        var next = StartVector(warmStart, n, random);
        var ritz = new double[n];
        var residual = new double[n];
        var k = 0;
        var spent = 0;
        while (true)
        {
            if (!Orthonormalise(next, basis, k))
            {
                FillRandom(next, random);
                if (!Orthonormalise(next, basis, k))
                {
                    // The basis spans the whole space (k = n); Rayleigh–Ritz below is then exact.
                    k = Math.Min(k, n);
                }
            }

            if (k < m && k < n)
            {
                next.CopyTo(basis[k], 0);
                op.Apply(basis[k], products[k]);
                spent++;
                if (!double.IsFinite(TensorPrimitives.Sum<double>(products[k])))
                {
                    // An overflowing operator has no meaningful eigenvalue; report it instead of iterating on NaN.
                    return new EigenPair(double.NaN, basis[k], double.PositiveInfinity, spent, false);
                }

                for (var i = 0; i <= k; i++)
                {
                    var hik = TensorPrimitives.Dot(basis[i], products[k]);
                    h[i, k] = hik;
                    h[k, i] = hik;
                }

                k++;
            }

            var wholeSpace = k == n;
            var restartDue = k == m;
            if (!IsCheckpoint(k) && !restartDue && !wholeSpace && spent < options.MaxProducts)
            {
                products[k - 1].CopyTo(next, 0);
                continue;
            }

            var (values, vectors) = SmallEigen(h, k);
            var top = k - 1;
            Combine(basis, vectors, top, k, ritz);
            Combine(products, vectors, top, k, residual);
            TensorPrimitives.MultiplyAdd(ritz, -values[top], residual, residual);
            var residualNorm = TensorPrimitives.Norm(residual);
            var scale = Math.Max(Math.Abs(values[top]), Math.Abs(values[0]));
            var converged = residualNorm <= options.RelativeTolerance * Math.Max(scale, double.Epsilon);
            if (converged || wholeSpace || spent >= options.MaxProducts)
            {
                var norm = TensorPrimitives.Norm(ritz);
                TensorPrimitives.Divide(ritz, norm, ritz);
                return new EigenPair(values[top], ritz, residualNorm / norm, spent, converged || wholeSpace);
            }

            if (restartDue)
            {
                k = Restart(basis, products, h, vectors, values, k, keep);
            }

            residual.CopyTo(next, 0);
        }
    }

    /// <summary>Dense fallback: forms S column by column and calls a dense symmetric eigensolver.</summary>
    public static EigenPair DenseLargest(ISymmetricOperator op)
    {
        var n = op.Dimension;
        var s = Matrix<double>.Build.Dense(n, n);
        var e = new double[n];
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            e[j] = 1.0;
            op.Apply(e, column);
            e[j] = 0.0;
            for (var i = 0; i < n; i++)
            {
                s[i, j] = column[i];
            }
        }

        var symmetric = (s + s.Transpose()) * 0.5;
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var top = 0;
        for (var i = 1; i < n; i++)
        {
            if (evd.EigenValues[i].Real > evd.EigenValues[top].Real)
            {
                top = i;
            }
        }

        var value = evd.EigenValues[top].Real;
        var vector = evd.EigenVectors.Column(top).ToArray();
        var sx = new double[n];
        op.Apply(vector, sx);
        TensorPrimitives.MultiplyAdd(vector, -value, sx, sx);
        return new EigenPair(value, vector, TensorPrimitives.Norm(sx), n + 1, true);
    }

    private static bool IsCheckpoint(int k) => k <= 6 || k % 3 == 0;

    private static double[] StartVector(ReadOnlySpan<double> warmStart, int n, Random random)
    {
        var v = new double[n];
        FillRandom(v, random);
        if (warmStart.Length == n)
        {
            var warmNorm = TensorPrimitives.Norm(warmStart);
            if (warmNorm > 0 && double.IsFinite(warmNorm))
            {
                // A small random part keeps every eigendirection present: a warm start that happens to be an
                // exact eigenvector of a lower eigenvalue would otherwise hide the top one.
                var randomNorm = TensorPrimitives.Norm(v);
                TensorPrimitives.Multiply(v, 1e-7 / randomNorm, v);
                TensorPrimitives.MultiplyAdd(warmStart, 1.0 / warmNorm, v, v);
            }
        }

        return v;
    }

    private static void FillRandom(Span<double> v, Random random)
    {
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = random.NextDouble() - 0.5;
        }
    }

    /// <summary>Classical Gram–Schmidt twice against the first k basis vectors, then normalise.</summary>
    private static bool Orthonormalise(double[] v, double[][] basis, int k)
    {
        var before = TensorPrimitives.Norm(v);
        if (before == 0 || !double.IsFinite(before))
        {
            return false;
        }

        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < k; i++)
            {
                var c = TensorPrimitives.Dot(basis[i], v);
                TensorPrimitives.MultiplyAdd(basis[i], -c, v, v);
            }
        }

        var after = TensorPrimitives.Norm(v);
        if (after <= 1e-12 * before)
        {
            return false;
        }

        TensorPrimitives.Divide(v, after, v);
        return true;
    }

    private static (double[] Values, double[,] Vectors) SmallEigen(double[,] h, int k)
    {
        var t = Matrix<double>.Build.Dense(k, k, (i, j) => 0.5 * (h[i, j] + h[j, i]));
        var evd = t.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, k).OrderBy(i => evd.EigenValues[i].Real).ToArray();
        var values = new double[k];
        var vectors = new double[k, k];
        for (var c = 0; c < k; c++)
        {
            values[c] = evd.EigenValues[order[c]].Real;
            for (var r = 0; r < k; r++)
            {
                vectors[r, c] = evd.EigenVectors[r, order[c]];
            }
        }

        return (values, vectors);
    }

    private static void Combine(double[][] columns, double[,] coefficients, int which, int k, double[] target)
    {
        Array.Clear(target);
        for (var i = 0; i < k; i++)
        {
            TensorPrimitives.MultiplyAdd(columns[i], coefficients[i, which], target, target);
        }
    }

    /// <summary>Replaces the basis by its top Ritz vectors; H becomes their Ritz values on the diagonal.</summary>
    private static int Restart(
        double[][] basis, double[][] products, double[,] h, double[,] vectors, double[] values, int k, int keep)
    {
        var n = basis[0].Length;
        var newBasis = new double[keep][];
        var newProducts = new double[keep][];
        for (var c = 0; c < keep; c++)
        {
            var which = k - 1 - c;
            newBasis[c] = new double[n];
            newProducts[c] = new double[n];
            Combine(basis, vectors, which, k, newBasis[c]);
            Combine(products, vectors, which, k, newProducts[c]);
        }

        Array.Clear(h);
        for (var c = 0; c < keep; c++)
        {
            newBasis[c].CopyTo(basis[c], 0);
            newProducts[c].CopyTo(products[c], 0);
            h[c, c] = values[k - 1 - c];
        }

        return keep;
    }
}
