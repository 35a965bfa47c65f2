using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Jobs;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// A job's coordinator with a probe as its dispatcher (the spec answers its tasks with their Core results) and the
/// test actor as its parent, journaling to a real SQLite file.
/// </summary>
public sealed class JobCoordinatorSpecs : TestKit
{
    private const string JobId = "spec";
    private static readonly JobSettings Job = ClusterJobSpecs.Job(CertifyMode.Off);
    private static readonly NeuralOdeModel Model = TestModels.TimeSampled(3, 24, seed: 17);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _directory;

    public JobCoordinatorSpecs()
        : this(Directory.CreateTempSubdirectory("contractivity-coordinator-").FullName)
    {
    }

    private JobCoordinatorSpecs(string directory)
        : base(HostedActorSystem.Start(akka => akka
            .WithContractivitySerialization()
            .WithJobJournal(new PersistenceSettings
            {
                Provider = PersistenceProviders.Sqlite,
                DataDirectory = directory,
            })))
    {
        _directory = directory;
    }

    [Fact]
    public void A_coordinator_queues_every_boxs_tasks_ignores_duplicate_results_and_ends_with_the_local_answer()
    {
        var dispatcher = CreateTestProbe();
        var coordinator = Coordinator(dispatcher);

        var (steps, _) = Serve(coordinator, dispatcher, duplicates: true);

        var ended = FishForMessage<JobCoordinator.Ended>(_ => true, Patience);
        Assert.Null(ended.Failure);
        var expected = IntervalSolver.Solve(Model, Job.Question, Job.Inner, Job.Certify);
        ClusterJobSpecs.AssertSame(expected, ended.Answer!);
        Assert.Equal(expected.Steps.Count + 1, steps);
    }

    [Fact]
    public void A_coordinator_stopped_mid_box_resumes_from_its_last_persisted_step_and_queues_that_box_again()
    {
        var dispatcher = CreateTestProbe();
        var first = Coordinator(dispatcher);
        var (_, open) = Serve(first, dispatcher, e => e.Tasks[0].TaskId.StartsWith("3/", StringComparison.Ordinal));
        Assert.NotNull(open);

        // Half of the fourth box's tasks are answered; then the coordinator stops before the box is done.
        foreach (var task in open.Tasks.Take(open.Tasks.Count / 2))
        {
            first.Tell(Completed(task), dispatcher);
        }

        Watch(first);
        Sys.Stop(first);
        FishForMessage<Terminated>(t => t.ActorRef.Equals(first), Patience);
        while (dispatcher.HasMessages)
        {
            dispatcher.ReceiveOne(); // a finish task of a sample whose climbs were all in
        }

        var second = Coordinator(dispatcher);
        var again = dispatcher.ExpectMsg<EnqueueTasks>(Patience);
        Assert.Equal(open.Tasks.Select(t => t.TaskId), again.Tasks.Select(t => t.TaskId));
        Assert.Equal(3, FishForMessage<JobProgress>(_ => true, Patience).OuterStep);

        foreach (var task in again.Tasks)
        {
            second.Tell(Completed(task), dispatcher);
        }

        Serve(second, dispatcher);
        var ended = FishForMessage<JobCoordinator.Ended>(_ => true, Patience);
        ClusterJobSpecs.AssertSame(IntervalSolver.Solve(Model, Job.Question, Job.Inner, Job.Certify), ended.Answer!);
    }

    [Fact]
    public void A_coordinator_stopped_during_certification_resumes_from_its_last_persisted_certification_step()
    {
        // The gradient search misses the worst pattern, so branch and bound decides many boxes (exact mode: no
        // budget, every part deterministic).
        var random = new Random(2114);
        var model = new NeuralOdeModel(Enumerable.Range(0, 2)
            .Select(s => new Sample(s, [TestModels.Stable(random, 10)])).ToArray());
        var job = new JobSettings(new IntervalQuestion(Tolerance: 1e-7),
            new Core.Inner.InnerOptions(Starts: 1, EnumerationLimit: 0, Seed: 5),
            new CertifyOptions(CertifyMode.Exact));
        var expected = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);
        Assert.True(expected.BranchAndBound!.Decisions > 4);
        var dispatcher = CreateTestProbe();
        var first = Coordinator(dispatcher, model, job);
        var (_, open) = Serve(first, dispatcher, e => e.Tasks[0].TaskId.StartsWith("c3/", StringComparison.Ordinal),
            model: model, job: job);
        Assert.NotNull(open);

        Watch(first);
        Sys.Stop(first);
        FishForMessage<Terminated>(t => t.ActorRef.Equals(first), Patience);
        while (dispatcher.HasMessages)
        {
            dispatcher.ReceiveOne();
        }

        var second = Coordinator(dispatcher, model, job);
        var again = dispatcher.ExpectMsg<EnqueueTasks>(Patience);
        Assert.Equal(open.Tasks.Select(t => t.TaskId), again.Tasks.Select(t => t.TaskId));
        foreach (var task in again.Tasks)
        {
            second.Tell(Completed(task, model, job), dispatcher);
        }

        Serve(second, dispatcher, model: model, job: job);
        var answer = FishForMessage<JobCoordinator.Ended>(_ => true, Patience).Answer!;
        ClusterJobSpecs.AssertSame(expected, answer);
        Assert.Equal(expected.BranchAndBound with { Seconds = 0 }, answer.BranchAndBound! with { Seconds = 0 });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Directory.Delete(_directory, recursive: true);
    }

    private IActorRef Coordinator(TestProbe dispatcher, NeuralOdeModel? model = null, JobSettings? job = null)
    {
        var data = ModelCodec.ToJobData(model ?? Model);
        return ChildActorOf(JobCoordinator.Props(JobId, job ?? Job, model ?? Model, data.Hash,
            JobDataStorage.ChunkHashes(data.Model), dispatcher));
    }

    private static TaskCompleted Completed(TaskSpec task, NeuralOdeModel? model = null, JobSettings? job = null) =>
        new(JobId, task.TaskId, TaskRunner.Run(model ?? Model, job ?? Job, task, 1), 1);

    /// <summary>
    /// Answers the tasks the coordinator queues until it forgets the job, or until <paramref name="stopAt"/> picks
    /// a batch, which is returned unanswered; counts the steps whose tasks were answered.
    /// </summary>
    private static (int Steps, EnqueueTasks? Stopped) Serve(
        IActorRef coordinator, TestProbe dispatcher, Func<EnqueueTasks, bool>? stopAt = null, bool duplicates = false,
        NeuralOdeModel? model = null, JobSettings? job = null)
    {
        var steps = new HashSet<string>();
        while (true)
        {
            switch (dispatcher.ReceiveOne(Patience))
            {
                case EnqueueTasks enqueue when stopAt?.Invoke(enqueue) == true:
                    return (steps.Count, enqueue);
                case EnqueueTasks enqueue:
                    foreach (var task in enqueue.Tasks)
                    {
                        steps.Add(task.TaskId.Split('/')[0]);
                        var completed = Completed(task, model, job);
                        coordinator.Tell(completed, dispatcher);
                        if (duplicates)
                        {
                            coordinator.Tell(completed, dispatcher);
                        }
                    }

                    break;
                case CancelTasks:
                    break;
                case ForgetJob:
                    return (steps.Count, null);
                case null:
                    throw new TimeoutException("the coordinator queued nothing more and did not end the job");
            }
        }
    }
}
