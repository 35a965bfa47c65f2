using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Enumeration;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Tests;

public class MatrixCubeBoundTests
{
    [Fact]
    public void The_minimised_bound_is_never_below_the_enumerated_maximum_and_usually_tight()
    {
        var random = new Random(2025);
        var overestimates = new List<double>();
        for (var k = 0; k < 220; k++)
        {
            var n = 3 + k % 10;
            var a = k % 2 == 0 ? RandomModels.StableOneLayer(random, n) : RandomModels.Gaussian(random, n, n);
            var lower = 0.7 * random.NextDouble();
            var exact = VertexEnumeration.Maximum(new Sample(0, [a]), lower, 1.0, null, 1).Value;
            var bound = MatrixCubeBound.ForBox(a, lower, 1.0);
            var (value, lambda) = bound.Minimise(null, LanczosOptions.Default, new Random(k));
            Assert.True(value >= exact - 1e-9, $"case {k}: bound {value} below the maximum {exact}");
            Assert.True(bound.ProvesBelow(lambda, value + 1e-7 * Math.Max(1, Math.Abs(value))),
                $"case {k}: the Cholesky check fails just above the estimated bound {value}");
            Assert.False(bound.ProvesBelow(lambda, exact - 1e-6 * Math.Max(1, Math.Abs(exact))),
                $"case {k}: the check claims a bound below the true maximum {exact}");
            overestimates.Add((value - exact) / Math.Max(1e-12, Math.Abs(exact)));
        }

        overestimates.Sort();
        var median = overestimates[overestimates.Count / 2];
        var ninetieth = overestimates[(int)(0.9 * overestimates.Count)];

        // Measured on these cases: the median relative overestimate is below 1e-6, the 90th percentile near 4%.
        Assert.True(median < 1e-4, $"median overestimate {median}");
        Assert.True(ninetieth < 0.15, $"90th percentile overestimate {ninetieth}");
    }

    [Fact]
    public void Any_multipliers_give_a_valid_bound_even_unoptimised()
    {
        var random = new Random(6);
        for (var k = 0; k < 40; k++)
        {
            var a = RandomModels.Gaussian(random, 6, 6);
            var exact = VertexEnumeration.Maximum(new Sample(0, [a]), 0.2, 1.0, null, 1).Value;
            var bound = MatrixCubeBound.ForBox(a, 0.2, 1.0);
            var lambda = Enumerable.Range(0, 6).Select(_ => Math.Exp(4 * random.NextDouble() - 2)).ToArray();
            var (value, _, _, _) = bound.Evaluate(lambda, [], LanczosOptions.Default, new Random(1));
            Assert.True(value >= exact - 1e-9);
        }
    }

    [Fact]
    public void Log_multiplier_gradient_matches_finite_differences()
    {
        var random = new Random(12);
        var a = RandomModels.Gaussian(random, 30, 30);
        var bound = MatrixCubeBound.ForBox(a, 0.3, 1.0);
        var lambda = bound.InitialMultipliers();
        var (_, _, gradient, _) = bound.Evaluate(lambda, [], LanczosOptions.Default, new Random(1));
        const double eps = 1e-6;
        for (var i = 0; i < 30; i += 7)
        {
            var plus = (double[])lambda.Clone();
            var minus = (double[])lambda.Clone();
            plus[i] *= Math.Exp(eps);
            minus[i] *= Math.Exp(-eps);
            var difference = (bound.Evaluate(plus, [], LanczosOptions.Default, new Random(1)).Value
                - bound.Evaluate(minus, [], LanczosOptions.Default, new Random(1)).Value) / (2 * eps);
            Assert.True(Math.Abs(difference - gradient[i]) <= 1e-5, $"{i}: {gradient[i]} vs {difference}");
        }
    }
}
