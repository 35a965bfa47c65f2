using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Tests;

public class GradientTests
{
    private static void AssertGradientMatchesFiniteDifferences(Sample sample, double? step, int seed)
    {
        var random = new Random(seed);
        var objective = new SlopeObjective(sample, step);
        var slopes = Enumerable.Range(0, sample.DiagonalCount).Select(_ => 0.2 + 0.8 * random.NextDouble()).ToArray();
        var at = objective.Evaluate(slopes, [], new Random(1));
        Assert.InRange(at.Value - RandomModels.ReferenceValue(sample, slopes, step), -1e-9, 1e-9);
        const double eps = 1e-6;
        for (var i = 0; i < slopes.Length; i++)
        {
            var plus = (double[])slopes.Clone();
            var minus = (double[])slopes.Clone();
            plus[i] += eps;
            minus[i] -= eps;
            var difference = (RandomModels.ReferenceValue(sample, plus, step)
                - RandomModels.ReferenceValue(sample, minus, step)) / (2 * eps);
            Assert.True(Math.Abs(difference - at.Gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(difference)),
                $"slope {i}: analytic {at.Gradient[i]}, finite difference {difference}");
        }
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(12, 2)]
    [InlineData(40, 3)]
    public void One_layer_gradient_x_i_times_Ax_i_matches_finite_differences(int n, int seed)
    {
        var a = RandomModels.Gaussian(new Random(seed), n, n);
        AssertGradientMatchesFiniteDifferences(new Sample(0, [a]), null, seed);
    }

    [Theory]
    [InlineData(4, 7, 4)]
    [InlineData(9, 3, 5)]
    [InlineData(30, 45, 6)]
    public void Per_layer_gradient_of_a_two_layer_non_square_chain_matches_finite_differences(int n, int m, int seed)
    {
        AssertGradientMatchesFiniteDifferences(RandomModels.TwoLayer(new Random(seed), n, m), null, seed);
    }

    [Fact]
    public void Per_layer_gradient_of_a_three_layer_chain_matches_finite_differences()
    {
        var random = new Random(8);
        var sample = new Sample(0, [
            RandomModels.Gaussian(random, 6, 5), RandomModels.Gaussian(random, 3, 6),
            RandomModels.Gaussian(random, 5, 3)]);
        AssertGradientMatchesFiniteDifferences(sample, null, 8);
    }

    [Theory]
    [InlineData(6, 0.1, 9)]
    [InlineData(35, 0.05, 10)]
    public void Discrete_step_gradient_matches_finite_differences(int n, double h, int seed)
    {
        var a = RandomModels.Gaussian(new Random(seed), n, n);
        AssertGradientMatchesFiniteDifferences(new Sample(0, [a]), h, seed);
        AssertGradientMatchesFiniteDifferences(RandomModels.TwoLayer(new Random(seed), n, n + 2), h, seed);
    }
}
