using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Norms;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>Whole jobs on a one-node cluster against the single-process Core.</summary>
public sealed class ClusterJobSpecs
{
    public static TheoryData<int, int, string> Models => new()
    {
        { 6, 12, "off" },  // enumerated samples: one solve task per sample
        { 5, 30, "off" },  // gradient search: a climb task per start, then a finish task per sample
        { 2, 70, "off" },  // above 64 slopes: the finish task polishes the best climbs
        { 3, 30, "bound" }, // certified by the matrix cube bound in a certify task
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_cluster_job_answers_bit_for_bit_what_the_single_process_solver_answers(
        int samples, int n, string certify)
    {
        var model = TestModels.TimeSampled(samples, n, seed: samples * 100 + n);
        var job = Job(certify == "bound" ? CertifyMode.Bound : CertifyMode.Off);
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        using var node = new TestNode();
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        AssertSame(local, answer);
    }

    public static TheoryData<int, int, int, int, bool> Certified => new()
    {
        { 2, 10, 0, 2114, false }, // one layer, two samples: 20 decisions, 15 violated, each settled by its splits
        { 1, 4, 6, 1046, true },   // two layers 4 → 6 → 4 (perturbation bound): 23 decisions, 20 621 nodes
        { 1, 4, 4, 1051, true },   // two layers 4 → 4 → 4: 22 decisions, 5 444 nodes
    };

    [Theory]
    [MemberData(nameof(Certified))]
    public void Branch_and_bound_split_into_subtree_tasks_certifies_exactly_as_the_single_process_solver(
        int samples, int n, int hidden, int seed, bool subtreeTasks)
    {
        // One start and no enumeration: the gradient search alone misses the worst pattern, so branch and bound
        // corrects the witness and decides many boxes; exact mode has no budget, so every part is deterministic.
        var random = new Random(seed);
        var model = hidden == 0
            ? new NeuralOdeModel(Enumerable.Range(0, samples)
                .Select(s => new Sample(s, [TestModels.Stable(random, n)])).ToArray())
            : new NeuralOdeModel([TestModels.TwoLayer(random, n, hidden)]);
        var job = new JobSettings(new IntervalQuestion(Tolerance: 1e-7),
            new InnerOptions(Starts: 1, EnumerationLimit: 0, Seed: 5), new CertifyOptions(CertifyMode.Exact));
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);
        var subtrees = 0;
        RunTask counting = (m, settings, task, threads) =>
        {
            if (task is SubtreeTask)
            {
                Interlocked.Increment(ref subtrees);
            }

            return TaskRunner.Run(m, settings, task, threads);
        };

        using var node = new TestNode(run: counting);
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        AssertSame(local, answer);
        Assert.NotNull(local.BranchAndBound);
        var (expected, actual) = (local.BranchAndBound!, answer.BranchAndBound!);
        Assert.Equal(expected with { Seconds = 0 }, actual with { Seconds = 0 });
        Assert.True(expected.Complete);
        Assert.Equal(subtreeTasks, subtrees > 0);
    }

    [Fact]
    public void With_a_node_budget_the_subtree_tasks_stop_where_the_single_process_solver_stops()
    {
        // Two layers 4 → 6 → 4 need 20 621 nodes in all; 300 leave decisions undecided, and each subtree task gets
        // the same share of its sample's nodes as the in-process subtree, whatever the order the tasks run in.
        var model = new NeuralOdeModel([TestModels.TwoLayer(new Random(1046), 4, 6)]);
        var job = new JobSettings(new IntervalQuestion(Tolerance: 1e-7),
            new InnerOptions(Starts: 1, EnumerationLimit: 0, Seed: 5),
            new CertifyOptions(CertifyMode.Exact, BudgetNodes: 300));
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);
        var shares = new System.Collections.Concurrent.ConcurrentBag<long>();
        RunTask recording = (m, settings, task, threads) =>
        {
            if (task is SubtreeTask subtree)
            {
                shares.Add(subtree.MaxNodes);
            }

            return TaskRunner.Run(m, settings, task, threads);
        };

        using var node = new TestNode(run: recording);
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        AssertSame(local, answer);
        var (expected, actual) = (local.BranchAndBound!, answer.BranchAndBound!);
        Assert.Equal(expected with { Seconds = 0 }, actual with { Seconds = 0 });
        Assert.False(expected.Complete);
        Assert.InRange(expected.Nodes, 1, 300);
        Assert.NotEmpty(shares);
        Assert.All(shares, share => Assert.InRange(share, 0, 300 / 16));
    }

    [Fact]
    public void With_a_budget_spent_at_once_the_cluster_brackets_the_end_as_the_single_process_solver_does()
    {
        // No part gets any time, so the outcome does not depend on the clock: the bound's bracket, no decision.
        var model = new NeuralOdeModel(Enumerable.Range(0, 2)
            .Select(s => new Sample(s, [TestModels.Stable(new Random(2114 + s), 10)])).ToArray());
        var job = new JobSettings(new IntervalQuestion(), new InnerOptions(Starts: 1, EnumerationLimit: 0, Seed: 5),
            new CertifyOptions(CertifyMode.Auto, BudgetSeconds: 0));
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        using var node = new TestNode();
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        AssertSame(local, answer);
        Assert.Equal(CertificateStatus.Bracket, answer.Status);
        Assert.False(answer.BranchAndBound!.Complete);
        Assert.Equal(local.BranchAndBound! with { Seconds = 0 }, answer.BranchAndBound with { Seconds = 0 });
    }

    [Fact]
    public void A_model_larger_than_one_chunk_travels_in_chunks_and_gets_the_single_process_answer()
    {
        // Four samples of 400 × 400 weights: 5.1 MB of data in five chunks; μ∞ has a closed form, so the job is
        // quick.
        var model = TestModels.TimeSampled(4, 400, seed: 9);
        var job = new JobSettings(new IntervalQuestion(Norm: LogNormKind.Infinity), new InnerOptions(),
            new CertifyOptions(CertifyMode.Off));
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);
        Assert.Equal(5, JobDataStorage.ChunkCount(ModelCodec.Encode(model).Length));

        using var node = new TestNode();
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        AssertSame(local, answer);
    }

    [Fact]
    public void A_task_that_throws_once_is_retried_and_the_job_still_gets_the_single_process_answer()
    {
        var model = TestModels.TimeSampled(3, 30, seed: 7);
        var job = Job(CertifyMode.Off);
        var thrown = 0;
        RunTask flaky = (m, s, task, threads) =>
            task.TaskId == "2/climb/1/3" && Interlocked.Increment(ref thrown) == 1
                ? throw new InvalidOperationException("injected failure")
                : TaskRunner.Run(m, s, task, threads);

        using var node = new TestNode(run: flaky);
        var answer = Assert.IsType<JobCompleted>(node.Run(model, job)).Answer;

        Assert.Equal(2, thrown);
        AssertSame(IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify), answer);
    }

    [Fact]
    public void A_task_that_throws_on_every_attempt_fails_the_job_with_its_message()
    {
        var model = TestModels.TimeSampled(2, 30, seed: 8);
        var attempts = 0;
        RunTask broken = (m, s, task, threads) =>
            task.TaskId == "1/climb/0/2"
                ? throw new InvalidOperationException($"injected failure {Interlocked.Increment(ref attempts)}")
                : TaskRunner.Run(m, s, task, threads);

        using var node = new TestNode(run: broken);
        var failed = Assert.IsType<JobFailed>(node.Run(model, Job(CertifyMode.Off)));

        Assert.Equal(node.Settings.Dispatch.MaxAttempts, attempts);
        Assert.Equal("task 1/climb/0/2 failed: InvalidOperationException: injected failure 3", failed.Reason);
    }

    [Fact]
    public void A_job_that_fails_validation_is_rejected_with_the_message_of_the_single_process_solver()
    {
        // An Euler step is not rescaled (‖I + hDJ‖ is relative to 1), so h·J at 1e79 is refused.
        var model = NeuralOdeModel.OneLayer(Matrix.FromRowMajor(2, 2, [1e80, 0, 0, 1e80]));
        var job = Job(CertifyMode.Off) with { Question = new IntervalQuestion(DiscreteStep: 0.1) };
        var expected = Assert.Throws<ArgumentException>(() =>
            IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify)).Message;

        using var node = new TestNode();
        var rejected = Assert.IsType<JobRejected>(node.Run(model, job));

        Assert.Equal(expected, rejected.Reason);
        Assert.Contains("outside 1e-50 … 1e50", rejected.Reason, StringComparison.Ordinal);
    }

    internal static JobSettings Job(CertifyMode certify) =>
        new(new IntervalQuestion(), new InnerOptions(Starts: 6, Seed: 3), new CertifyOptions(certify));

    internal static void AssertSame(IntervalAnswer expected, IntervalAnswer actual)
    {
        Assert.Equal(expected.Feasible, actual.Feasible);
        Assert.Equal(expected.Lower, actual.Lower);
        Assert.Equal(expected.Upper, actual.Upper);
        Assert.Equal(expected.BracketLow, actual.BracketLow);
        Assert.Equal(expected.BracketHigh, actual.BracketHigh);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.Witness.Value, actual.Witness.Value);
        Assert.Equal(expected.Witness.SampleIndex, actual.Witness.SampleIndex);
        Assert.Equal(expected.Witness.Slopes, actual.Witness.Slopes);
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Certificate?.SafeEnd, actual.Certificate?.SafeEnd);
        Assert.Equal(expected.BranchAndBound?.Nodes, actual.BranchAndBound?.Nodes);
    }
}
