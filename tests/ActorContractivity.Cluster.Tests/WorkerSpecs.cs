using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Jobs;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>A worker between a probe as its dispatcher and a probe as its node's data cache.</summary>
public sealed class WorkerSpecs() : TestKit(HostedActorSystem.Start(akka => akka
    .WithContractivitySerialization()
    .WithComputeDispatcher(threads: 2)))
{
    private static readonly JobSettings Job = ClusterJobSpecs.Job(CertifyMode.Off);
    private static readonly Core.Model.NeuralOdeModel Model = TestModels.TimeSampled(2, 24, seed: 4);

    [Fact]
    public void A_worker_asks_for_work_runs_its_task_on_the_jobs_model_and_reports_the_core_result()
    {
        var (dispatcher, cache) = Probes();
        var worker = Worker(dispatcher, cache, TaskRunner.Run);
        Assert.Equal(worker, dispatcher.ExpectMsg<RequestWork>().Worker);

        var task = FirstClimb();
        worker.Tell(new WorkAssigned("job", task.TaskId, 1, "hash", task), dispatcher);
        var get = cache.ExpectMsg<JobDataCache.GetModel>();
        Assert.Equal(("job", "hash", dispatcher.Ref), (get.JobId, get.Hash, get.Source));
        worker.Tell(new JobDataCache.ModelReady("job", "hash", Model, Job), cache);

        var completed = dispatcher.FishForMessage<WorkCompleted>(_ => true, TimeSpan.FromSeconds(20));
        var expected = ((Climbed)TaskRunner.Run(Model, Job, task, 1)).Climb;
        var climb = Assert.IsType<Climbed>(completed.Outcome).Climb;
        Assert.Equal((task.TaskId, 1), (completed.TaskId, completed.Attempt));
        Assert.Equal(expected.Value, climb.Value);
        Assert.Equal(expected.Slopes, climb.Slopes);

        // Idle again, it asks for work while it waits.
        Assert.Equal(worker, dispatcher.ExpectMsg<RequestWork>(TimeSpan.FromSeconds(5)).Worker);
    }

    [Fact]
    public void A_task_that_throws_is_reported_as_a_failure_and_the_worker_takes_the_next_task()
    {
        var (dispatcher, cache) = Probes();
        RunTask run = (m, s, task, threads) => task.TaskId == "bad"
            ? throw new InvalidOperationException("boom\nsecond line")
            : TaskRunner.Run(m, s, task, threads);
        var worker = Worker(dispatcher, cache, run);
        dispatcher.ExpectMsg<RequestWork>();
        var climb = FirstClimb();

        worker.Tell(new WorkAssigned("job", "bad", 2, "hash", climb with { TaskId = "bad" }), dispatcher);
        cache.ExpectMsg<JobDataCache.GetModel>();
        worker.Tell(new JobDataCache.ModelReady("job", "hash", Model, Job), cache);
        var failed = dispatcher.FishForMessage<WorkFailed>(_ => true, TimeSpan.FromSeconds(20));
        Assert.Equal(("bad", 2, "InvalidOperationException: boom second line"),
            (failed.TaskId, failed.Attempt, failed.Message));

        worker.Tell(new WorkAssigned("job", climb.TaskId, 1, "hash", climb), dispatcher);
        cache.ExpectMsg<JobDataCache.GetModel>();
        worker.Tell(new JobDataCache.ModelReady("job", "hash", Model, Job), cache);
        Assert.Equal(climb.TaskId, dispatcher.FishForMessage<WorkCompleted>(_ => true, TimeSpan.FromSeconds(20))
            .TaskId);
    }

    [Fact]
    public void A_busy_worker_renews_its_lease_and_turns_a_second_task_away()
    {
        var (dispatcher, cache) = Probes();
        using var release = new ManualResetEventSlim();
        RunTask slow = (m, s, task, threads) =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return TaskRunner.Run(m, s, task, threads);
        };
        var worker = Sys.ActorOf(Workers.Worker.Props(dispatcher, cache, new WorkerSettings { IdleRequestSeconds = 60 },
            leaseSeconds: 0.3, slow));
        dispatcher.ExpectMsg<RequestWork>();
        var climb = FirstClimb();
        worker.Tell(new WorkAssigned("job", climb.TaskId, 1, "hash", climb), dispatcher);
        cache.ExpectMsg<JobDataCache.GetModel>();
        worker.Tell(new JobDataCache.ModelReady("job", "hash", Model, Job), cache);

        var renewed = dispatcher.ExpectMsg<WorkInProgress>();
        Assert.Equal((climb.TaskId, 1), (renewed.TaskId, renewed.Attempt));
        worker.Tell(new WorkAssigned("job", "other", 1, "hash", climb with { TaskId = "other" }), dispatcher);
        Assert.Equal("other", dispatcher.FishForMessage<WorkRejected>(_ => true).TaskId);

        release.Set();
        Assert.Equal(climb.TaskId, dispatcher.FishForMessage<WorkCompleted>(_ => true, TimeSpan.FromSeconds(20))
            .TaskId);
    }

    private (TestProbe Dispatcher, TestProbe Cache) Probes() => (CreateTestProbe(), CreateTestProbe());

    private IActorRef Worker(IActorRef dispatcher, IActorRef cache, RunTask run) =>
        Sys.ActorOf(Workers.Worker.Props(dispatcher, cache, new WorkerSettings { IdleRequestSeconds = 0.3 },
            leaseSeconds: 30, run));

    /// <summary>The first climb of the first box with a positive width (the far end) of the model.</summary>
    private static ClimbTask FirstClimb()
    {
        var run = JobRun.Start(Model, Job);
        var fixedEnd = run.CurrentBox()!;
        var results = new InnerResult[Model.Samples.Count];
        foreach (var task in fixedEnd.Initial)
        {
            var solve = (SolveSampleTask)task;
            results[solve.Sample] = ((SampleSolved)TaskRunner.Run(Model, Job, task, 1)).Result;
        }

        var far = run.Apply(new BoxEvaluated("job", 0, fixedEnd.Lower, fixedEnd.Upper, results)).CurrentBox()!;
        return far.Initial.OfType<ClimbTask>().First();
    }
}
