using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Tests;

public class SyntheticModelTests
{
    [Fact]
    public void A_generated_resnet_has_one_sample_per_block_with_two_square_layers_and_contracts_at_unit_slopes()
    {
        var samples = SyntheticModels.ResNet(5, 12, 3).ToList();
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8], samples.Select(s => s.Time));
        Assert.All(samples, s => Assert.Equal([12, 12], s.Widths));
        Assert.All(samples, s => Assert.InRange(
            InnerSolver.Solve(s, 0, 1, 1, null, new InnerOptions()).Value, -1.0, -0.05));

        // The encoder is orthogonal: AᵀA = I.
        var a = RandomModels.Jacobian(new Sample(0, [samples[2].Layers[0]]), Enumerable.Repeat(1.0, 12).ToArray());
        Assert.True((a.TransposeThisAndMultiply(a) - MathNet.Numerics.LinearAlgebra.Matrix<double>.Build
            .DenseIdentity(12)).InfinityNorm() < 1e-12);
        Assert.Equal(samples[4].Layers[1].ToRows(), SyntheticModels.ResNet(5, 12, 3).Last().Layers[1].ToRows());
    }

    [Fact]
    public void A_small_generated_resnet_has_an_interior_exact_answer()
    {
        var model = new NeuralOdeModel(SyntheticModels.ResNet(3, 8, 0).ToList());
        var answer = IntervalSolver.Solve(model, new IntervalQuestion(), new InnerOptions(Starts: 4));
        Assert.Equal(CertificateStatus.Exact, answer.Status);

        // Measured: ℓ* = 0.58889996 (every sample has 16 slopes, so each is enumerated).
        Assert.Equal(0.58889996, answer.Lower!.Value, 1e-6);
    }

    [Fact]
    public void A_generated_deep_model_contracts_at_unit_slopes_but_not_for_every_slope_down_to_zero()
    {
        var sample = new Sample(0, SyntheticModels.Deep(6, 10, 2).ToList());
        Assert.Equal(6, sample.Layers.Count);
        var options = new InnerOptions(Starts: 4, EnumerationLimit: 0);
        Assert.True(InnerSolver.Solve(sample, 0, 1, 1, null, options).Value < -0.05);
        Assert.True(InnerSolver.Solve(sample, 0, 0.0, 1, null, options).Value > 0.05);
        Assert.Throws<ArgumentException>(() => SyntheticModels.Deep(1, 10, 0).ToList());
    }
}
