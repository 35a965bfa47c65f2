using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Tests;

public class ProblemScaleTests
{
    private static readonly InnerOptions Search = new(Starts: 4, MaxDegreeOfParallelism: 1);

    private static NeuralOdeModel Scaled(Matrix a, double factor) =>
        NeuralOdeModel.OneLayer(Matrix.FromRowMajor(a.Rows, a.Cols, a.RowMajorValues.ToArray().Select(v => v * factor)
            .ToArray()));

    [Theory]
    [InlineData(-40)]
    [InlineData(40)]
    [InlineData(-500)]
    public void Weights_far_from_unit_scale_give_the_unit_scale_interval_and_log_norms_in_their_own_units(
        int exponent)
    {
        var a = RandomModels.StableOneLayer(new Random(5), 30);
        var factor = Math.ScaleB(1.0, exponent);
        var question = new IntervalQuestion(C: -0.05);

        var unit = IntervalSolver.Solve(NeuralOdeModel.OneLayer(a), question, Search, CertifyMode.Bound);
        var scaled = IntervalSolver.Solve(Scaled(a, factor), question with { C = -0.05 * factor }, Search,
            CertifyMode.Bound);

        Assert.Equal(CertificateStatus.Bracket, unit.Status);
        Assert.Equal(unit.Status, scaled.Status);
        Assert.InRange(scaled.BracketLow!.Value - unit.BracketLow!.Value, -1e-8, 1e-8);
        Assert.InRange(scaled.Lower!.Value - unit.Lower!.Value, -1e-3, 1e-3);
        Assert.Equal(-0.05 * factor, scaled.Question.C);
        Assert.InRange(scaled.Witness.Value / factor - unit.Witness.Value, -1e-9, 1e-9);
        Assert.InRange(scaled.ValueAtFixed / factor - unit.ValueAtFixed, -1e-12, 1e-12);
        var certificate = scaled.Certificate!;
        var bound = Certify.MatrixCubeBound.ForBox(Scaled(a, factor).Samples[0].Layers[0], certificate.SafeEnd, 1.0);
        Assert.True(bound.ProvesBelow(certificate.Multipliers[0], -0.05 * factor));
    }

    [Fact]
    public void Tiny_weights_are_certified_as_well_as_unit_ones_and_the_certificate_checks_on_the_original()
    {
        // At 1e-10 the solvers' absolute margins used to dominate: the bound proved nothing and the answer fell
        // back to the gradient witness.
        var a = RandomModels.StableOneLayer(new Random(6), 30);
        var tiny = Scaled(a, 1e-10);

        var unit = IntervalSolver.Solve(NeuralOdeModel.OneLayer(a), new IntervalQuestion(), Search, CertifyMode.Bound);
        var answer = IntervalSolver.Solve(tiny, new IntervalQuestion(), Search, CertifyMode.Bound);

        Assert.Equal(CertificateStatus.Bracket, answer.Status);
        Assert.InRange(answer.Lower!.Value - unit.Lower!.Value, -1e-7, 1e-7);
        var certificate = answer.Certificate!;
        var bound = Certify.MatrixCubeBound.ForBox(tiny.Samples[0].Layers[0], certificate.SafeEnd, 1.0);
        Assert.True(bound.ProvesBelow(certificate.Multipliers[0], 0.0));
    }

    [Fact]
    public void Models_near_unit_scale_and_discrete_steps_are_left_as_they_are()
    {
        var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(new Random(7), 8));
        var tiny = Scaled(model.Samples[0].Layers[0], 1e-12);

        Assert.Same(model, ProblemScale.For(model, new IntervalQuestion()).Model);
        Assert.Same(tiny, ProblemScale.For(tiny, new IntervalQuestion(DiscreteStep: 0.1)).Model);
        var scale = ProblemScale.For(tiny, new IntervalQuestion(C: -1e-12));
        var largest = tiny.Samples[0].Layers[0].RowMajorValues.ToArray().Max(Math.Abs);
        Assert.Equal(Math.Round(Math.Log2(scale.Factor)), Math.Log2(scale.Factor));
        Assert.InRange(scale.Factor / largest, Math.Sqrt(0.5), Math.Sqrt(2.0));
        Assert.Equal(-1e-12 / scale.Factor, scale.Question.C);
        Assert.Equal(largest / scale.Factor, scale.Model.Samples[0].Layers[0].RowMajorValues.ToArray().Max(Math.Abs));
    }
}
