using ActorContractivity.Core.Enumeration;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Norms;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Tests;

public class IntervalSolverTests
{
    private static readonly InnerOptions Exhaustive = new(MaxDegreeOfParallelism: 1);

    /// <summary>φ(θ) by enumeration over every sample.</summary>
    internal static double Phi(NeuralOdeModel model, IntervalQuestion question, double theta)
    {
        var (lower, upper) = question.Box(theta);
        return model.Samples.Max(s => VertexEnumeration.Maximum(s, lower, upper, question.DiscreteStep, 1).Value);
    }

    /// <summary>The reference answer: plain bisection on the enumerated φ, to 1e-11.</summary>
    internal static double BisectedEnd(NeuralOdeModel model, IntervalQuestion question)
    {
        var unsafeEnd = question.FarEnd;
        var safeEnd = question.Fixed;
        while (Math.Abs(safeEnd - unsafeEnd) > 1e-11)
        {
            var mid = 0.5 * (unsafeEnd + safeEnd);
            if (Phi(model, question, mid) > question.C)
            {
                unsafeEnd = mid;
            }
            else
            {
                safeEnd = mid;
            }
        }

        return safeEnd;
    }

    private static IEnumerable<(string Kind, NeuralOdeModel Model)> Models(int count, int seed)
    {
        var random = new Random(seed);
        for (var k = 0; k < count; k++)
        {
            var n = 3 + k % 6;
            switch (k % 3)
            {
                case 0:
                    yield return ("one-layer", NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, n)));
                    break;
                case 1:
                    yield return ("two-layer",
                        new NeuralOdeModel([RandomModels.TwoLayer(random, 2 + k % 4, 1 + k % 5)]));
                    break;
                default:
                    var samples = Enumerable.Range(0, 2 + k % 3)
                        .Select(t => new Sample(t, [RandomModels.StableOneLayer(random, n)])).ToArray();
                    yield return ("time-sampled", new NeuralOdeModel(samples));
                    break;
            }
        }
    }

    [Fact]
    public void Tuned_lower_end_matches_bisection_on_enumeration_in_210_random_models()
    {
        var checkedCases = new Dictionary<string, int>();
        var feasible = 0;
        foreach (var (kind, model) in Models(210, 2024))
        {
            var atIdentity = Phi(model, new IntervalQuestion(), 1.0);

            // Half the cases ask for a contraction rate that only part of the box satisfies.
            var c = checkedCases.GetValueOrDefault(kind) % 2 == 0 ? 0.0 : 0.5 * atIdentity;
            var question = new IntervalQuestion(C: c);
            var answer = IntervalSolver.Solve(model, question, Exhaustive);
            checkedCases[kind] = checkedCases.GetValueOrDefault(kind) + 1;
            Assert.InRange(answer.ValueAtFixed - atIdentity, -1e-10, 1e-10);
            if (atIdentity > c)
            {
                Assert.False(answer.Feasible);
                continue;
            }

            feasible++;
            Assert.True(answer.Feasible);
            Assert.Equal(CertificateStatus.Exact, answer.Status);
            var expected = BisectedEnd(model, question);
            Assert.True(Math.Abs(answer.Lower!.Value - expected) <= 1e-7,
                $"{kind}: ℓ = {answer.Lower} but bisection gives {expected}");
            Assert.Equal(1.0, answer.Upper);
            Assert.True(answer.Witness.Value <= c + 1e-12);
        }

        Assert.All(checkedCases.Values, n => Assert.Equal(70, n));
        Assert.True(feasible >= 150, $"only {feasible} feasible cases");
    }

    [Fact]
    public void Newton_needs_far_fewer_outer_steps_than_bisection()
    {
        var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(new Random(77), 10));
        var answer = IntervalSolver.Solve(model, new IntervalQuestion(), Exhaustive);
        Assert.True(answer.Steps.Count <= 12, $"{answer.Steps.Count} outer steps");
        Assert.Contains(answer.Steps, s => s.Rule == "newton");
    }

    [Fact]
    public void Tuning_the_upper_end_at_c_zero_is_the_reciprocal_of_tuning_the_lower_end()
    {
        // μ(αM) = α μ(M): with c = 0 only the ratio ℓ/u matters, so u* for ℓ fixed at ℓ₀ is
        // ℓ₀ / ℓ*(u = 1).
        var random = new Random(31);
        for (var k = 0; k < 10; k++)
        {
            var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 5 + k % 4));
            var lowerAnswer = IntervalSolver.Solve(model, new IntervalQuestion(), Exhaustive);
            if (!lowerAnswer.Feasible || lowerAnswer.ReachedLimit)
            {
                continue;
            }

            var upperAnswer = IntervalSolver.Solve(
                model, new IntervalQuestion(Tune: TunedEnd.Upper, Fixed: 0.5), Exhaustive);
            Assert.Equal(0.5, upperAnswer.Lower);
            var expected = 0.5 / lowerAnswer.Lower!.Value;
            Assert.True(Math.Abs(upperAnswer.Upper!.Value - expected) <= 1e-6 * expected,
                $"u* = {upperAnswer.Upper}, expected {expected}");
        }
    }

    [Fact]
    public void An_interval_that_includes_zero_is_reported_as_reaching_the_limit()
    {
        // A = −I: Sym(DA) = −D ≤ 0 for every D ≥ 0, so with c = 0 every ℓ ≥ 0 works.
        var minusIdentity = Matrix.FromRows([[-1.0, 0, 0], [0, -1.0, 0], [0, 0, -1.0]]);
        var answer = IntervalSolver.Solve(NeuralOdeModel.OneLayer(minusIdentity), new IntervalQuestion(), Exhaustive);
        Assert.True(answer.Feasible);
        Assert.True(answer.ReachedLimit);
        Assert.Equal(0.0, answer.Lower);
    }

    [Fact]
    public void A_model_that_breaks_the_bound_at_the_identity_has_no_interval()
    {
        var a = Matrix.FromRows([[0.5, 1.0], [0.0, -1.0]]);
        var answer = IntervalSolver.Solve(NeuralOdeModel.OneLayer(a), new IntervalQuestion(), Exhaustive);
        Assert.False(answer.Feasible);
        Assert.Null(answer.Lower);
        Assert.InRange(answer.ValueAtFixed - LogNorms.Mu2(a), -1e-12, 1e-12);
    }

    [Fact]
    public void Gradient_search_answers_agree_with_enumeration_on_models_just_above_the_enumeration_limit()
    {
        var random = new Random(99);
        var gradient = new InnerOptions(Starts: 8, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        for (var k = 0; k < 12; k++)
        {
            var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 9 + k % 4));
            var exact = IntervalSolver.Solve(model, new IntervalQuestion(), Exhaustive);
            var estimate = IntervalSolver.Solve(model, new IntervalQuestion(), gradient, CertifyMode.Off);
            Assert.Equal(exact.Feasible, estimate.Feasible);
            if (!exact.Feasible)
            {
                continue;
            }

            Assert.Equal(CertificateStatus.Estimate, estimate.Status);
            Assert.True(estimate.Lower <= exact.Lower + 1e-8, "a witness can only under-estimate ℓ*");
            Assert.InRange(estimate.Lower!.Value, exact.Lower!.Value - 1e-7, exact.Lower!.Value + 1e-8);
        }
    }

    [Fact]
    public void The_proven_safe_end_and_the_witness_end_bracket_the_enumerated_answer()
    {
        var random = new Random(123);
        var gradient = new InnerOptions(Starts: 6, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var brackets = 0;
        for (var k = 0; k < 24; k++)
        {
            var n = 6 + k % 7;
            var samples = Enumerable.Range(0, 1 + k % 2)
                .Select(t => new Sample(t, [RandomModels.StableOneLayer(random, n)])).ToArray();
            var model = new NeuralOdeModel(samples);
            var exact = IntervalSolver.Solve(model, new IntervalQuestion(), Exhaustive);
            var proven = IntervalSolver.Solve(model, new IntervalQuestion(), gradient, CertifyMode.Bound);
            if (!exact.Feasible)
            {
                continue;
            }

            Assert.NotEqual(CertificateStatus.Estimate, proven.Status);
            Assert.NotNull(proven.Certificate);
            var (witnessEnd, safeEnd) = (proven.BracketLow!.Value, proven.BracketHigh!.Value);
            Assert.True(witnessEnd <= exact.Lower + 1e-8, $"witness end {witnessEnd} above ℓ* = {exact.Lower}");
            Assert.True(safeEnd >= exact.Lower - 1e-8, $"safe end {safeEnd} below ℓ* = {exact.Lower}");
            Assert.Equal(safeEnd, proven.Lower);
            brackets++;
        }

        Assert.True(brackets >= 15, $"{brackets} feasible cases");
    }

    [Theory]
    [InlineData(LogNormKind.One, null)]
    [InlineData(LogNormKind.Infinity, null)]
    [InlineData(LogNormKind.One, 0.3)]
    [InlineData(LogNormKind.Infinity, 0.3)]
    public void Closed_forms_for_mu1_and_mu_infinity_match_enumeration(LogNormKind norm, double? step)
    {
        var random = new Random(13);
        for (var k = 0; k < 40; k++)
        {
            var n = 2 + k % 6;
            var a = RandomModels.Gaussian(random, n, n, 0.4, -1.5);
            var lower = random.NextDouble() * 0.8;
            var closed = BoxWorstCase.Evaluate(a, lower, 1.0, norm, step);
            var brute = double.NegativeInfinity;
            for (var mask = 0; mask < 1 << n; mask++)
            {
                var d = Enumerable.Range(0, n).Select(i => ((mask >> i) & 1) == 1 ? 1.0 : lower).ToArray();
                brute = Math.Max(brute, NormOf(a, d, norm, step));
            }

            Assert.InRange(closed.Value - brute, -1e-12, 1e-12);
            Assert.InRange(NormOf(a, closed.Slopes, norm, step) - closed.Value, -1e-12, 1e-12);
        }
    }

    private static double NormOf(Matrix a, double[] d, LogNormKind norm, double? step)
    {
        var n = a.Rows;
        var values = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                values[i * n + j] = (step ?? 1.0) * d[i] * a[i, j] + (step is not null && i == j ? 1.0 : 0.0);
            }
        }

        var m = Matrix.FromRowMajor(n, n, values);
        if (step is not { } h)
        {
            return LogNorms.Of(m, norm);
        }

        // Induced 1- and ∞-norms: the largest absolute column and row sums.
        var sums = Enumerable.Range(0, n).Select(k => Enumerable.Range(0, n)
            .Sum(l => Math.Abs(norm == LogNormKind.One ? m[l, k] : m[k, l]))).Max();
        return Math.Log(sums) / h;
    }

    [Fact]
    public void Discrete_step_answers_match_bisection_on_enumeration()
    {
        var random = new Random(55);
        for (var k = 0; k < 20; k++)
        {
            var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 3 + k % 5));
            var question = new IntervalQuestion(DiscreteStep: 0.25);
            var answer = IntervalSolver.Solve(model, question, Exhaustive);
            if (!answer.Feasible)
            {
                continue;
            }

            Assert.InRange(answer.Lower!.Value - BisectedEnd(model, question), -1e-7, 1e-7);
        }
    }

    [Fact]
    public void The_outer_search_replayed_from_its_recorded_worst_cases_asks_the_same_boxes_and_answers_the_same()
    {
        var random = new Random(11);
        var model = NeuralOdeModel.OneLayer(RandomModels.Gaussian(random, 30, 30, 1 / Math.Sqrt(30), -1.6));
        var question = new IntervalQuestion();
        var recorder = new RecordingOracle(IntervalSolver.CreateOracle(model, question, new InnerOptions()));
        var answer = IntervalSolver.Solve(recorder, question);

        var replayed = OuterSearch.Start(question);
        foreach (var (box, worst) in recorder.Calls)
        {
            Assert.Equal(box, replayed.Box);
            replayed = replayed.Advance(worst);
        }

        Assert.Equal(OuterPhase.Done, replayed.Phase);
        Assert.Null(replayed.Box);
        Assert.Equal(answer.BracketLow, replayed.Outcome!.Tuned);
        Assert.Equal(answer.Steps, replayed.Outcome.Steps);
        Assert.True(answer.Steps.Count > 3, "the search should need several outer steps");
    }

    private sealed class RecordingOracle(IWorstCaseOracle inner) : IWorstCaseOracle
    {
        public List<((double, double) Box, WorstCase Worst)> Calls { get; } = [];

        public WorkCounts Counts => inner.Counts;

        public string Method => inner.Method;

        public WorstCase Evaluate(double lower, double upper)
        {
            var worst = inner.Evaluate(lower, upper);
            Calls.Add(((lower, upper), worst));
            return worst;
        }
    }
}
