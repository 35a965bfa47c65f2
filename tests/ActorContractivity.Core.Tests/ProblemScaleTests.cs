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

    /// <summary>
    /// [[−1, 1], [0, −1]] times <paramref name="scale"/>: μ₂(DA) ≤ 0 exactly when d₂ ≥ d₁/4.
    /// </summary>
    private static NeuralOdeModel Triangular(double scale) =>
        NeuralOdeModel.OneLayer(Matrix.FromRowMajor(2, 2, [-scale, scale, 0, -scale]));

    [Theory]
    [InlineData(2.0, 1e308)]
    [InlineData(1e300, 1e10)]
    [InlineData(1e-310, 1e-300)]
    public void Slopes_and_weights_beyond_unit_scale_give_the_exact_lower_end(double weights, double fixedEnd)
    {
        // The answer is ℓ* = u/4 whatever the scale. Slopes of 1e308 with weights 2, or weights of 1e300 with
        // slopes of 1e10, used to be divided by an infinite factor (zero weights: "proven" on [0, u]); subnormal
        // weights 1e-310 with slopes 1e-300, by a zero one (weights of −∞).
        var question = new IntervalQuestion(Fixed: fixedEnd);

        var answer = IntervalSolver.Solve(Triangular(weights), question, Search, CertifyMode.Auto);

        Assert.True(answer.Feasible);
        Assert.Equal(CertificateStatus.Exact, answer.Status);
        Assert.Equal(fixedEnd, answer.Upper);
        Assert.InRange(answer.Lower!.Value / (0.25 * fixedEnd), 1 - 1e-7, 1 + 1e-7);
        Assert.False(answer.ReachedLimit);
        Assert.True(double.IsFinite(answer.Witness.Value));
        Assert.Equal(question, answer.Question);
    }

    [Fact]
    public void Tuning_the_upper_end_from_1e300_gives_four_times_the_fixed_end()
    {
        var question = new IntervalQuestion(Tune: TunedEnd.Upper, Fixed: 1e300, Limit: 1e308);

        var answer = IntervalSolver.Solve(Triangular(2.0), question, Search, CertifyMode.Auto);

        Assert.Equal(CertificateStatus.Exact, answer.Status);
        Assert.Equal(1e300, answer.Lower);
        Assert.InRange(answer.Upper!.Value / 4e300, 1 - 1e-7, 1 + 1e-7);
        Assert.False(answer.ReachedLimit);
    }

    [Fact]
    public void Slopes_are_scaled_by_exact_powers_of_two_and_restored_exactly()
    {
        var question = new IntervalQuestion(Fixed: 1e308);
        var scale = ProblemScale.For(Triangular(2.0), question);

        Assert.Equal(1023, scale.SlopeExponent);
        Assert.Equal(Math.ScaleB(1e308, -1023), scale.Question.Fixed);
        Assert.Equal(2.0, scale.Model.Samples[0].Layers[0][0, 1]);
        Assert.True(scale.Question.Validate() is null);
        Assert.Equal(question, scale.Original);
    }

    [Fact]
    public void A_question_that_cannot_be_scaled_exactly_is_refused_with_the_range_message()
    {
        // c = −1e-300 at log-norms of 1e310 would underflow: the question is not scaled and is out of range.
        var flow = new IntervalQuestion(C: -1e-300, Fixed: 1e10);
        var step = new IntervalQuestion(Fixed: 1e308, DiscreteStep: 1.0);

        var flowError = Assert.Throws<ArgumentException>(() => IntervalSolver.Solve(Triangular(1e300), flow, Search));
        var stepError = Assert.Throws<ArgumentException>(() => IntervalSolver.Solve(Triangular(2.0), step, Search));

        Assert.Contains("weights × slopes reach 1e310 in sample 0, outside 1e-75 … 1e75", flowError.Message);
        Assert.Contains("weights × slopes × step reach 1e308 in sample 0, outside 1e-50 … 1e50", stepError.Message);
    }

    [Fact]
    public void A_log_norm_that_is_not_a_number_is_an_error_never_a_safe_box()
    {
        var question = new IntervalQuestion();
        WorstCase Case(double value) => new(value, 0, [1.0, 1.0], [0, 2], [0.0, 0.0], 0, false);

        // D = fixed·I is safe, the far end breaks the bound; then a NaN used to count as "safe" inside the bracket.
        var bracketing = OuterSearch.Start(question).Advance(Case(-1)).Advance(Case(1));

        Assert.Throws<InvalidOperationException>(() => bracketing.Advance(Case(double.NaN)));
        Assert.Throws<InvalidOperationException>(() => bracketing.Advance(Case(double.NegativeInfinity)));
        Assert.Throws<InvalidOperationException>(() => OuterSearch.Start(question).Advance(Case(double.NaN)));
        Assert.Throws<InvalidOperationException>(
            () => OuterSearch.Start(question).Advance(Case(-1)).Advance(Case(double.NegativeInfinity)));
    }
}
