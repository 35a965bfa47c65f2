using ActorContractivity.Core.Model;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Tests;

/// <summary>Seeded random models and a brute-force reference built on MathNet only.</summary>
internal static class RandomModels
{
    public static Matrix Gaussian(Random random, int rows, int cols, double scale = 1.0, double diagonalShift = 0.0)
    {
        var values = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                values[i * cols + j] = scale * Normal(random) + (i == j ? diagonalShift : 0.0);
            }
        }

        return Matrix.FromRowMajor(rows, cols, values);
    }

    public static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// −1.6·I plus Gaussian noise of variance 1/n: Sym of the noise has its spectrum edge near √2, so D = I is
    /// usually contractive while small slopes on the diagonal often are not.
    /// </summary>
    public static Matrix StableOneLayer(Random random, int n) =>
        Gaussian(random, n, n, 1.0 / Math.Sqrt(n), diagonalShift: -1.6);

    /// <summary>Two layers n→m→n with a negative-definite-leaning product.</summary>
    public static Sample TwoLayer(Random random, int n, int m, double time = 0.0)
    {
        var first = Gaussian(random, m, n, 1.0 / Math.Sqrt(n));
        var second = Gaussian(random, n, m, 0.3 / Math.Sqrt(m));
        var values = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                // Pull the product towards −Bᵀ-like structure so that D = I is often contractive.
                values[i * m + j] = second[i, j] - 1.5 * first[j, i];
            }
        }

        return new Sample(time, [first, Matrix.FromRowMajor(n, m, values)]);
    }

    /// <summary>The Jacobian D_k A_k ⋯ D_1 A_1 as a MathNet matrix, for flat slopes d.</summary>
    public static Matrix<double> Jacobian(Sample sample, double[] slopes)
    {
        var n = sample.Dimension;
        var product = Matrix<double>.Build.DenseIdentity(n);
        var offset = 0;
        foreach (var layer in sample.Layers)
        {
            var a = Matrix<double>.Build.Dense(layer.Rows, layer.Cols, (i, j) => layer[i, j]);
            var d = Matrix<double>.Build.DenseOfDiagonalArray(slopes[offset..(offset + layer.Rows)]);
            product = d * a * product;
            offset += layer.Rows;
        }

        return product;
    }

    /// <summary>μ₂(J), or ln‖I + hJ‖₂ / h, by MathNet.</summary>
    public static double ReferenceValue(Sample sample, double[] slopes, double? step)
    {
        var j = Jacobian(sample, slopes);
        if (step is { } h)
        {
            var m = Matrix<double>.Build.DenseIdentity(j.RowCount) + h * j;
            return Math.Log(m.L2Norm()) / h;
        }

        return (0.5 * (j + j.Transpose())).Evd(Symmetricity.Symmetric).EigenValues.Max(v => v.Real);
    }

    /// <summary>max over all vertices by MathNet: the reference the fast enumeration is checked against.</summary>
    public static double BruteForceMaximum(Sample sample, double lower, double upper, double? step)
    {
        var count = sample.DiagonalCount;
        var best = double.NegativeInfinity;
        var slopes = new double[count];
        for (var mask = 0L; mask < 1L << count; mask++)
        {
            for (var b = 0; b < count; b++)
            {
                slopes[b] = ((mask >> b) & 1) == 1 ? upper : lower;
            }

            best = Math.Max(best, ReferenceValue(sample, slopes, step));
        }

        return best;
    }
}
