using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Tests;

/// <summary>Certification end to end: the gradient search's answer, proven or corrected by branch and bound.</summary>
public class CertifiedIntervalTests
{
    private static NeuralOdeModel RandomModel(Random random, int k) => (k % 3) switch
    {
        0 => NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 8 + k % 5)),
        1 => new NeuralOdeModel([RandomModels.TwoLayer(random, 4 + k % 3, 3 + k % 4)]),
        _ => new NeuralOdeModel(Enumerable.Range(0, 2)
            .Select(t => new Sample(t, [RandomModels.StableOneLayer(random, 7 + k % 4)])).ToArray()),
    };

    [Fact]
    public void Auto_certification_turns_gradient_answers_into_the_enumerated_answer_with_status_exact()
    {
        // One start and no enumeration: the gradient search alone misses the worst pattern on some of these.
        var gradient = new InnerOptions(Starts: 1, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var random = new Random(4711);
        var violations = 0;
        var exactCount = 0;
        for (var k = 0; k < 45; k++)
        {
            var model = RandomModel(random, k);
            var question = new IntervalQuestion(Tolerance: 1e-7);
            var answer = IntervalSolver.Solve(model, question, gradient, CertifyMode.Auto);
            var reference = IntervalSolverTests.BisectedEnd(model, question);
            if (!answer.Feasible)
            {
                Assert.True(IntervalSolverTests.Phi(model, question, question.Fixed) > question.C);
                continue;
            }

            // Exact by branch and bound, or by the bound (which runs first) meeting the witness end.
            Assert.Equal(CertificateStatus.Exact, answer.Status);
            Assert.True(answer.BranchAndBound is { Complete: true } || answer.Certificate is not null);
            Assert.InRange(answer.Lower!.Value - reference, -1e-9, 1.5e-7);
            violations += answer.BranchAndBound?.Violations ?? 0;
            exactCount++;
        }

        Assert.True(exactCount >= 30, $"only {exactCount} feasible cases");
        Assert.True(violations >= 1, "no case exercised a correction of the gradient witness");
    }

    [Fact]
    public void Tune_upper_is_decided_exactly_as_well()
    {
        var gradient = new InnerOptions(Starts: 2, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var random = new Random(8);
        for (var k = 0; k < 10; k++)
        {
            var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 9));
            var question = new IntervalQuestion(Tune: TunedEnd.Upper, Fixed: 0.2, Limit: 3.0, Tolerance: 1e-7);
            var answer = IntervalSolver.Solve(model, question, gradient, CertifyMode.Exact);
            var reference = IntervalSolverTests.BisectedEnd(model, question);
            if (!answer.Feasible)
            {
                continue;
            }

            Assert.Equal(CertificateStatus.Exact, answer.Status);
            Assert.InRange(answer.Upper!.Value - reference, -1.5e-7, 1e-9);
        }
    }

    [Fact]
    public void A_budget_that_runs_out_gives_a_bracket_or_an_estimate_never_a_failure()
    {
        var gradient = new InnerOptions(Starts: 2, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var random = new Random(12);
        for (var k = 0; k < 6; k++)
        {
            var model = k % 2 == 0
                ? NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(random, 12))
                : new NeuralOdeModel([RandomModels.TwoLayer(random, 6, 6)]);
            var question = new IntervalQuestion();
            var answer = IntervalSolver.Solve(model, question, gradient, new CertifyOptions(CertifyMode.Auto, 0));
            if (!answer.Feasible)
            {
                continue;
            }

            // The bound runs first whatever the budget; where it meets the witness end, nothing is left to search.
            if (answer.BranchAndBound is { } search)
            {
                Assert.False(search.Complete);
                Assert.True(search.ClosedFraction < 1);
            }
            else
            {
                Assert.Equal(CertificateStatus.Exact, answer.Status);
                Assert.NotNull(answer.Certificate);
            }

            var reference = IntervalSolverTests.BisectedEnd(model, question);
            if (k % 2 == 0)
            {
                Assert.NotEqual(CertificateStatus.Estimate, answer.Status);
                Assert.True(answer.Lower >= reference - 1e-8, "the reported end must be the proven one");
                Assert.True(answer.BracketLow <= reference + 1e-8);
            }
            else
            {
                Assert.Equal(CertificateStatus.Estimate, answer.Status);
            }
        }
    }
}

public class LargeBracketTests
{
    [Fact]
    public void At_n_300_both_ends_of_the_bracket_are_checked_from_scratch()
    {
        var a = RandomModels.StableOneLayer(new Random(300), 300);
        var model = NeuralOdeModel.OneLayer(a);
        var question = new IntervalQuestion();
        var answer = IntervalSolver.Solve(
            model, question, new InnerOptions(Starts: 4), new CertifyOptions(CertifyMode.Auto, 20));

        Assert.True(answer.Feasible);
        Assert.Equal(CertificateStatus.Bracket, answer.Status);
        var (witnessEnd, safeEnd) = (answer.BracketLow!.Value, answer.BracketHigh!.Value);
        Assert.True(witnessEnd < safeEnd);
        Assert.Equal(safeEnd, answer.Lower);

        // The witness pattern, its ℓ-slopes moved just below the witness end, breaks μ₂ ≤ c
        // (dense MathNet check).
        var below = witnessEnd - 1e-6;
        var slopes = answer.Witness.Slopes.Select(d => d == witnessEnd ? below : d).ToArray();
        Assert.Contains(slopes, d => d == below);
        Assert.True(RandomModels.ReferenceValue(model.Samples[0], slopes, null) > question.C);

        // The certificate's multipliers at the bound's own safe end: a dense MathNet eigenvalue of M(λ) lies below
        // c, and the proof re-runs.
        var certificate = answer.Certificate!;
        Assert.True(safeEnd <= certificate.SafeEnd);
        var lambda = certificate.Multipliers[0];
        var (centre, radius) = MatrixCubeBound.Cover(certificate.SafeEnd, question.Fixed);
        var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(300, 300, (i, j) => a[i, j]);
        var m = 0.5 * centre * (dense + dense.Transpose());
        for (var i = 0; i < 300; i++)
        {
            m[i, i] += 0.5 * radius * lambda[i];
            m += 0.5 * radius / lambda[i] * dense.Row(i).OuterProduct(dense.Row(i));
        }

        var top = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Max(z => z.Real);
        Assert.True(top <= question.C, $"λ_max(M(λ)) = {top}");
        var bound = ActorContractivity.Core.Certify.MatrixCubeBound.ForBox(a, certificate.SafeEnd, question.Fixed);
        Assert.True(bound.ProvesBelow(lambda, question.C));

        // Where branch and bound proved more than the bound, a fresh decision of that box, without a budget, agrees.
        if (safeEnd < certificate.SafeEnd)
        {
            Assert.Equal(DecisionOutcome.Proven, Redecided(model, question, safeEnd, answer.Witness));
        }
    }

    [Fact]
    public void Beyond_the_witness_end_decisions_branch_and_bound_steps_down_from_the_bounds_safe_end()
    {
        // 180 slopes: too many to decide the witness end, so branch and bound starts next to the bound's proof. The
        // budget is in nodes, so the steps taken are the same on any machine and under any load.
        var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(new Random(180), 180));
        var question = new IntervalQuestion();
        var inner = new InnerOptions(Starts: 4);
        var estimate = IntervalSolver.Solve(model, question, inner, CertifyMode.Off);

        var bound = IntervalSolver.Certify(model, estimate, inner, new CertifyOptions(CertifyMode.Bound));
        var auto = IntervalSolver.Certify(model, estimate, inner,
            new CertifyOptions(CertifyMode.Auto, BudgetNodes: 40));

        Assert.Equal(CertificateStatus.Bracket, bound.Status);
        Assert.Equal(CertificateStatus.Bracket, auto.Status);
        Assert.Equal(bound.Certificate!.SafeEnd, auto.Certificate!.SafeEnd);
        Assert.Equal(estimate.BracketLow, auto.BracketLow);
        Assert.True(auto.Lower < bound.Lower - 1e-3, $"auto proved ℓ = {auto.Lower}, the bound alone {bound.Lower}");
        Assert.Equal(auto.Lower, auto.BracketHigh);
        var search = auto.BranchAndBound!;
        Assert.True(search.Decisions >= 2 && search.Nodes <= 40, $"{search}");
        Assert.Equal(DecisionOutcome.Proven, Redecided(model, question, auto.Lower!.Value, auto.Witness));
    }

    private static DecisionOutcome Redecided(
        NeuralOdeModel model, IntervalQuestion question, double theta, WorstCase witness) =>
        ActorContractivity.Core.Certify.PartitionedDecision.Decide(
            model, question, new DecideStep(theta, witness, double.PositiveInfinity), 0, -1).Outcome;
}

/// <summary>A budget bounds branch and bound, which may only improve on the bound's bracket, never starve it.</summary>
public class CertificationBudgetTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Auto_with_a_short_budget_proves_at_least_what_the_bound_alone_proves(double budget)
    {
        // 30 slopes: beyond enumeration, within branch and bound's reach. The bound's bisection used to get only
        // what branch and bound left of the budget: with a budget of 0 s it proved the fixed end, [1, 1].
        var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(new Random(5), 30));
        var question = new IntervalQuestion(C: -0.05);
        var inner = new InnerOptions(Starts: 4, MaxDegreeOfParallelism: 1);
        var estimate = IntervalSolver.Solve(model, question, inner, CertifyMode.Off);

        var bound = IntervalSolver.Certify(model, estimate, inner, new CertifyOptions(CertifyMode.Bound));
        var auto = IntervalSolver.Certify(model, estimate, inner, new CertifyOptions(CertifyMode.Auto, budget));

        Assert.Equal(CertificateStatus.Bracket, bound.Status);
        Assert.True(bound.Lower < 0.9, $"the bound alone proves ℓ = {bound.Lower}");
        Assert.NotEqual(CertificateStatus.Estimate, auto.Status);
        Assert.True(auto.Lower <= bound.Lower, $"auto proved ℓ = {auto.Lower}, the bound alone {bound.Lower}");
        Assert.NotNull(auto.Certificate);
        Assert.Equal(bound.Certificate!.SafeEnd, auto.Certificate!.SafeEnd);
        var seconds = auto.BranchAndBound!.Seconds;
        Assert.True(seconds <= budget + 5, $"branch and bound ran {seconds} s");
    }

    [Fact]
    public void A_decision_with_a_node_budget_stops_within_it_alike_on_one_thread_and_on_all()
    {
        // The witness end of 40 slopes: proving it takes more nodes than the budget, so the decision stays unknown;
        // the split and each subtree's even share of what the split left are fixed before any part runs.
        var model = NeuralOdeModel.OneLayer(RandomModels.StableOneLayer(new Random(40), 40));
        var question = new IntervalQuestion();
        var estimate = IntervalSolver.Solve(model, question, new InnerOptions(Starts: 4), CertifyMode.Off);
        DecideStep Step(long nodes) =>
            new(estimate.BracketLow!.Value, estimate.Witness, double.PositiveInfinity, nodes);

        var whole = PartitionedDecision.Decide(model, question, Step(long.MaxValue), 0);
        var budget = whole.Nodes / 2;
        var one = PartitionedDecision.Decide(model, question, Step(budget), 0, 1);
        var all = PartitionedDecision.Decide(model, question, Step(budget), 0, -1);

        Assert.Equal(DecisionOutcome.Proven, whole.Outcome);
        Assert.True(whole.Nodes >= 40, $"{whole.Nodes} nodes");
        Assert.Equal(DecisionOutcome.Unknown, one.Outcome);
        Assert.InRange(one.Nodes, 1, budget);
        Assert.InRange(one.ClosedFraction, 0.0, 0.999);
        Assert.Equal(one, all);
    }

    [Theory]
    [InlineData(0L, 3)]
    [InlineData(2L, 3)]
    [InlineData(7L, 3)]
    [InlineData(12L, 4)]
    [InlineData(1_000_000_000_000L, 7)]
    public void The_samples_of_a_decision_share_its_nodes_evenly_and_use_no_more(long nodes, int samples)
    {
        var shares = Enumerable.Range(0, samples).Select(s => PartitionedDecision.SampleNodes(nodes, samples, s))
            .ToArray();

        Assert.Equal(nodes, shares.Sum());
        Assert.True(shares.Max() - shares.Min() <= 1, string.Join(" ", shares));
        Assert.Equal(shares.OrderByDescending(n => n), shares);
        Assert.Equal(long.MaxValue, PartitionedDecision.SampleNodes(long.MaxValue, samples, samples - 1));
    }

    [Fact]
    public void A_node_budget_holds_over_all_the_samples_of_a_model()
    {
        // Three time samples of 30 slopes: each decision is three trees, which used to get the decision's nodes each.
        var random = new Random(303);
        var model = new NeuralOdeModel(Enumerable.Range(0, 3)
            .Select(t => new Sample(t, [RandomModels.StableOneLayer(random, 30)])).ToArray());
        var question = new IntervalQuestion();
        var inner = new InnerOptions(Starts: 2);
        var estimate = IntervalSolver.Solve(model, question, inner, CertifyMode.Off);
        DecideStep Step(long nodes) =>
            new(estimate.BracketLow!.Value, estimate.Witness, double.PositiveInfinity, nodes);

        var whole = PartitionedDecision.Decide(model, question, Step(long.MaxValue), 0, -1);
        var budget = whole.Nodes / 2;
        var one = PartitionedDecision.Decide(model, question, Step(budget), 0, 1);
        var all = PartitionedDecision.Decide(model, question, Step(budget), 0, -1);
        var certified = IntervalSolver.Certify(model, estimate, inner,
            new CertifyOptions(CertifyMode.Exact, BudgetNodes: 20));

        Assert.True(whole.Nodes >= 6, $"{whole.Nodes} nodes");
        Assert.NotEqual(DecisionOutcome.Unknown, whole.Outcome);
        Assert.InRange(one.Nodes, 1, budget);
        Assert.Equal(one, all);
        Assert.InRange(certified.BranchAndBound!.Nodes, 1, 20);
        Assert.NotEqual(CertificateStatus.Estimate, certified.Status);
    }

    [Fact]
    public void Branch_and_bound_and_a_partitioned_decision_stop_close_to_their_deadline()
    {
        // 150 slopes: each node's bound minimisation is hundreds of dense 150×150 eigendecompositions, so a
        // deadline checked only between nodes used to be overrun by whole minimisations.
        var a = RandomModels.StableOneLayer(new Random(11), 150);
        var model = NeuralOdeModel.OneLayer(a);
        var question = new IntervalQuestion();
        var options = new ActorContractivity.Core.Certify.BranchAndBoundOptions(MaxSeconds: 0.5);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = ActorContractivity.Core.Certify.BranchAndBound.Run(a, 0.0, 1.0, options);
        var searched = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var slopes = Enumerable.Repeat(1.0, 150).ToArray();
        var witness = new WorstCase(0, 0, slopes, [0, 150], new double[150], 0, false);
        var decision = ActorContractivity.Core.Certify.PartitionedDecision.Decide(
            model, question, new DecideStep(0.0, witness, 0.5), 0);
        var decided = clock.Elapsed.TotalSeconds;

        Assert.False(result.Complete);
        Assert.NotEmpty(result.Open);
        Assert.True(searched < 5, $"branch and bound with a 0.5 s deadline ran {searched} s");
        Assert.True(decision.Nodes >= 0);
        Assert.True(decided < 5, $"a decision with a 0.5 s deadline ran {decided} s");
    }
}
