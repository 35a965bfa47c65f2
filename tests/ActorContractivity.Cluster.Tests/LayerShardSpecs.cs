using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// Jobs with layer shards on an in-process cluster of a coordinator node (no workers) and worker nodes on loopback:
/// the layers live on the worker nodes, a sample split over two nodes is solved by pipelining products through its
/// shards, a sample held by one shard is solved there, and the answer is the single-process one exactly, also when
/// a node holding shards dies mid-job.
/// </summary>
public sealed class LayerShardSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<TestNode> _nodes = [];

    [Fact]
    public async Task A_deep_sample_split_over_two_nodes_gets_the_single_process_answer_exactly()
    {
        // One sample of four 8×8 layers (32 slopes): the planner puts two layers on each node. Every product of the
        // search crosses to both nodes, so the job is kept to a few outer steps.
        var model = new NeuralOdeModel([new Sample(0, SyntheticModels.Deep(4, 8, seed: 3).ToArray())]);
        var job = Job(shards: 2) with { Question = new IntervalQuestion(Tolerance: 1e-2) };
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        var (coordinator, workers) = Cluster(workerNodes: 2);
        var answer = Assert.IsType<JobCompleted>(
            await coordinator.Start(model, job).WaitAsync(TimeSpan.FromMinutes(4))).Answer;

        ClusterJobSpecs.AssertSame(local, answer);
        Assert.Equal(local.Witness.Slopes, answer.Witness.Slopes);
        Assert.All(workers, w => Assert.Equal(1, HostState(w).Built));
    }

    [Fact]
    public void Independent_samples_are_solved_on_the_nodes_that_hold_them_with_the_single_process_answer()
    {
        // Four one-layer samples of 24 slopes: each node holds two whole samples and solves them itself.
        var model = TestModels.TimeSampled(4, 24, seed: 12);
        var job = Job(shards: 2);
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        var (coordinator, workers) = Cluster(workerNodes: 2);
        var progress = new System.Collections.Concurrent.ConcurrentQueue<JobProgress>();
        var answer = Assert.IsType<JobCompleted>(coordinator.Run(model, job, progress.Enqueue)).Answer;

        ClusterJobSpecs.AssertSame(local, answer);
        Assert.All(workers, w => Assert.Equal(2, HostState(w).Built));
        // No task goes through the dispatcher, yet the progress counts the workers up.
        Assert.Contains(progress, p => p.Phase == "searching" && p.LiveWorkers == 2);
    }

    [Fact]
    public void A_node_done_with_its_own_samples_takes_over_the_others_last_ones_with_the_single_process_answer()
    {
        // Eight samples of 60 slopes: the first four dense (a gradient search of many steps), the last four diagonal
        // (settled at once). The planner gives each node four whole samples, so one node runs dry early and takes
        // samples from the other's queue, once it holds a copy of their layers.
        var random = new Random(31);
        var model = new NeuralOdeModel(Enumerable.Range(0, 8).Select(s => new Sample(0.1 * s,
        [
            s < 4
                ? TestModels.Stable(random, 60)
                : Matrix.FromRowMajor(60, 60, Enumerable.Range(0, 3600).Select(k => k % 61 == 0 ? -1.0 : 0).ToArray()),
        ])).ToArray());
        var job = Job(shards: 2);
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        var (coordinator, workers) = Cluster(workerNodes: 2);
        var answer = Assert.IsType<JobCompleted>(coordinator.Run(model, job)).Answer;

        ClusterJobSpecs.AssertSame(local, answer);
        var built = workers.Select(w => HostState(w).Built).Order().ToArray();
        Assert.True(built[0] >= 4 && built[1] > 4, $"shards built on the nodes: {string.Join(", ", built)}");
    }

    [Fact]
    public async Task When_a_node_holding_shards_dies_mid_job_its_layers_are_rebuilt_and_the_answer_is_the_same()
    {
        // A deep sample of six 16×16 layers split over the two nodes, the second of which also holds a two-layer
        // sample; the second node dies at outer step 2 and the first ends up holding everything.
        var model = new NeuralOdeModel(
        [
            new Sample(0, SyntheticModels.Deep(6, 16, seed: 4).ToArray()),
            TestModels.TwoLayer(new Random(21), 16, 24),
        ]);
        var job = Job(shards: 2) with { Question = new IntervalQuestion(Tolerance: 1e-5) };
        var local = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);

        var (coordinator, workers) = Cluster(workerNodes: 2);
        var doomed = workers[1];
        var killed = new ManualResetEventSlim();
        var outcome = coordinator.Start(model, job, progress =>
        {
            if (progress.OuterStep >= 2 && !killed.IsSet)
            {
                killed.Set();
                Task.Run(() =>
                {
                    _nodes.Remove(doomed);
                    doomed.Dispose();
                });
            }
        });
        // Under a full parallel test run on two cores the first outer steps can take several times their 15 s alone.
        Assert.True(killed.Wait(TimeSpan.FromMinutes(3)), "the job did not reach outer step 2");
        var answer = Assert.IsType<JobCompleted>(await outcome.WaitAsync(TimeSpan.FromMinutes(3))).Answer;

        ClusterJobSpecs.AssertSame(local, answer);
        Assert.True(answer.Steps.Count > 2);
        // The surviving node built its piece, then the whole deep sample and the other sample.
        Assert.Equal(3, HostState(workers[0]).Built);
    }

    [Fact]
    public void Only_samples_too_large_to_enumerate_are_sharded_and_only_when_asked_for_with_the_two_norm()
    {
        // 24 slopes (enumerated below 30) and 24 + 12 slopes.
        var model = new NeuralOdeModel(
            [new Sample(0, [TestModels.Stable(new Random(1), 24)]), TestModels.TwoLayer(new Random(2), 24, 12)]);
        var job = Job(shards: 2) with { Inner = new InnerOptions(EnumerationLimit: 30) };

        Assert.Equal([1], LayerShards.Sharded(model, job).Order());
        Assert.Empty(LayerShards.Sharded(model, job with { Shards = null }));
        Assert.Empty(LayerShards.Sharded(model, job with
        {
            Question = new IntervalQuestion(Norm: Core.Norms.LogNormKind.Infinity),
        }));
    }

    public void Dispose()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            node.Dispose();
        }
    }

    internal static JobSettings Job(int shards) =>
        new(new IntervalQuestion(Tolerance: 1e-4), new InnerOptions(Starts: 3, Seed: 3),
            new CertifyOptions(CertifyMode.Off), new ShardOptions(shards));

    private static ShardHost.State HostState(TestNode node) =>
        node.System.ActorSelection($"/user/{ShardHost.Name}")
            .Ask<ShardHost.State>(ShardHost.GetState.Instance, TimeSpan.FromSeconds(10)).Result;

    /// <summary>A coordinator node without workers and worker nodes that join it; returns once all are up.</summary>
    private (TestNode Coordinator, TestNode[] Workers) Cluster(int workerNodes)
    {
        var port = TlsSpecs.FreePort();
        var coordinator = Node(port, ClusterRoles.Coordinator, port);
        var workers = Enumerable.Range(0, workerNodes).Select(_ => Node(0, ClusterRoles.Worker, port)).ToArray();
        var clock = Stopwatch.StartNew();
        while (Akka.Cluster.Cluster.Get(coordinator.System).State.Members.Count(m => m.Status == MemberStatus.Up)
            < workerNodes + 1)
        {
            Assert.True(clock.Elapsed < Patience, "the worker nodes did not join");
            Thread.Sleep(100);
        }

        return (coordinator, workers);
    }

    private TestNode Node(int port, string role, int seed)
    {
        var settings = ContractivityNode.InProcess(workers: 1);
        settings.Node.Port = port;
        settings.Node.Roles = [role];
        settings.Node.SeedNodes = [$"127.0.0.1:{seed}"];
        settings.Node.DownUnreachableAfterSeconds = 1;
        var node = new TestNode(settings);
        _nodes.Add(node);
        return node;
    }
}
