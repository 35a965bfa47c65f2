using ActorContractivity.Core.Eigen;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Tests;

public class EigenSolverTests
{
    private sealed class DenseOperator(Matrix<double> s) : ISymmetricOperator
    {
        public int Dimension => s.RowCount;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            var result = s * Vector<double>.Build.DenseOfArray(x.ToArray());
            result.AsArray().CopyTo(y);
        }
    }

    private static Matrix<double> WithSpectrum(Random random, double[] spectrum)
    {
        var n = spectrum.Length;
        var g = Matrix<double>.Build.Dense(n, n, (_, _) => RandomModels.Normal(random));
        var q = g.QR().Q;
        return q * Matrix<double>.Build.DenseOfDiagonalArray(spectrum) * q.Transpose();
    }

    private static Matrix<double> RandomSymmetric(Random random, int n)
    {
        var g = Matrix<double>.Build.Dense(n, n, (_, _) => RandomModels.Normal(random));
        return 0.5 * (g + g.Transpose());
    }

    [Fact]
    public void Dense_bisection_matches_mathnet_on_random_symmetric_matrices()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = 1 + trial % 25;
            var s = RandomSymmetric(random, n);
            var expected = s.Evd(Symmetricity.Symmetric).EigenValues.Max(v => v.Real);
            var rowMajor = s.ToRowMajorArray();
            var actual = DenseSymmetric.LargestEigenvalue(rowMajor, n, new double[2 * n]);
            Assert.InRange(actual - expected, -1e-12 * Math.Max(1, Math.Abs(expected)),
                1e-12 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Dense_bisection_resolves_a_top_eigenvalue_clustered_within_1e_minus_10()
    {
        var random = new Random(5);
        var spectrum = Enumerable.Range(0, 12).Select(i => -0.1 * i).ToArray();
        spectrum[1] = -1e-10;
        var s = WithSpectrum(random, spectrum);
        var actual = DenseSymmetric.LargestEigenvalue(s.ToRowMajorArray(), 12, new double[24]);
        Assert.InRange(actual, -1e-14, 1e-14);
    }

    [Theory]
    [InlineData(30, 1)]
    [InlineData(80, 2)]
    [InlineData(200, 3)]
    [InlineData(400, 4)]
    public void Lanczos_matches_the_dense_solver_on_random_symmetric_operators(int n, int seed)
    {
        var random = new Random(seed);
        var s = RandomSymmetric(random, n);
        var evd = s.Evd(Symmetricity.Symmetric);
        var expected = evd.EigenValues.Max(v => v.Real);
        var pair = Lanczos.Largest(new DenseOperator(s), [], LanczosOptions.Default, new Random(seed));
        Assert.True(pair.Converged);
        Assert.InRange(pair.Value - expected, -1e-9 * Math.Abs(expected), 1e-9 * Math.Abs(expected));
        var residual = (s * Vector<double>.Build.DenseOfArray(pair.Vector) - pair.Value
            * Vector<double>.Build.DenseOfArray(pair.Vector)).L2Norm();
        Assert.InRange(pair.Residual, 0.5 * residual, 2 * residual + 1e-15);
        Assert.True(pair.Residual <= 1e-10 * Math.Abs(expected) * 1.0001);
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-7)]
    public void Lanczos_finds_the_top_of_a_tight_cluster_to_within_its_residual(double gap)
    {
        var random = new Random(9);
        var n = 300;
        var spectrum = Enumerable.Range(0, n).Select(i => -3.0 * i / n).ToArray();
        spectrum[0] = 1.0;
        spectrum[1] = 1.0 - gap;
        spectrum[2] = 1.0 - 2 * gap;
        var s = WithSpectrum(random, spectrum);
        var pair = Lanczos.Largest(new DenseOperator(s), [], LanczosOptions.Default, new Random(1));
        Assert.True(pair.Converged);

        // With a cluster, the eigenvector is ill-determined but λ_max is not: it is within the residual bound.
        Assert.InRange(pair.Value, 1.0 - 2 * gap - pair.Residual, 1.0 + pair.Residual);
        Assert.InRange(pair.Value, 1.0 - 1e-9, 1.0 + 1e-9);
    }

    [Fact]
    public void Lanczos_warm_started_from_the_answer_needs_few_products()
    {
        var random = new Random(21);
        var s = RandomSymmetric(random, 300);
        var first = Lanczos.Largest(new DenseOperator(s), [], LanczosOptions.Default, new Random(2));
        var again = Lanczos.Largest(new DenseOperator(s), first.Vector, LanczosOptions.Default, new Random(3));
        Assert.InRange(again.Value - first.Value, -1e-9, 1e-9);
        Assert.True(again.Products < first.Products / 2, $"{again.Products} vs {first.Products}");
    }

    [Fact]
    public void Lanczos_is_not_trapped_by_a_warm_start_that_is_a_lower_eigenvector()
    {
        var random = new Random(4);
        var n = 120;
        var spectrum = Enumerable.Range(0, n).Select(i => 1.0 - 2.0 * i / n).ToArray();
        var g = Matrix<double>.Build.Dense(n, n, (_, _) => RandomModels.Normal(random));
        var q = g.QR().Q;
        var s = q * Matrix<double>.Build.DenseOfDiagonalArray(spectrum) * q.Transpose();
        var lowerEigenvector = q.Column(5).ToArray();
        var pair = Lanczos.Largest(new DenseOperator(s), lowerEigenvector, LanczosOptions.Default, new Random(8));
        Assert.InRange(pair.Value, 1.0 - 1e-9, 1.0 + 1e-9);
    }
}
