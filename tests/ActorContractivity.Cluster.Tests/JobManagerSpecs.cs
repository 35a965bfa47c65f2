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
/// The job manager with probes as the submitting clients: the upload of a job's data, validation, the status
/// list, and a job run to its end by one worker.
/// </summary>
public sealed class JobManagerSpecs() : TestKit(HostedActorSystem.Start(akka => akka
    .WithContractivitySerialization()
    .WithJobJournal(new PersistenceSettings { Provider = PersistenceProviders.Memory })
    .WithComputeDispatcher(threads: 1)))
{
    private static readonly JobSettings Job = ClusterJobSpecs.Job(CertifyMode.Off);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly MemoryJobDataStorage _storage = new();

    [Fact]
    public void A_submission_is_asked_for_its_data_a_window_of_chunks_ahead_then_accepted_and_listed_as_running()
    {
        // 28 samples of 300 × 300 weights: 20 chunks, of which a window's worth are asked for before any arrives.
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(28, 300, seed: 1));
        var count = JobDataStorage.ChunkCount(data.Model.LongLength);
        Assert.Equal(20, count);
        Assert.True(count > ChunkWindow.Size);
        var manager = Manager();
        var client = CreateTestProbe();

        manager.Tell(Submit("big", data, client), client);
        var asked = Enumerable.Range(0, ChunkWindow.Size).Select(_ => client.ExpectMsg<SendJobData>(Patience)).ToList();
        Assert.All(asked, send => Assert.Equal(("big", data.Hash), (send.JobId, send.Hash)));
        Assert.Equal(Enumerable.Range(0, ChunkWindow.Size), asked.Select(send => send.Chunk));
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        for (var chunk = 0; chunk < count; chunk++)
        {
            manager.Tell(new JobDataChunk("big", data.Hash, chunk, count,
                JobDataStorage.Slice(data.Model, chunk).ToArray(), null), client);
            if (chunk + ChunkWindow.Size < count)
            {
                Assert.Equal(chunk + ChunkWindow.Size, client.ExpectMsg<SendJobData>(Patience).Chunk);
            }
        }

        Assert.Equal("big", client.FishForMessage<JobAccepted>(_ => true, Patience).JobId);
        Assert.Equal(Enumerable.Range(0, count).ToHashSet(), _storage.Stored(data.Hash));
        var list = Status(manager, null);
        var job = Assert.Single(list.Jobs);
        Assert.Equal(("big", "running"), (job.JobId, job.State));
    }

    [Fact]
    public void A_chunk_lost_in_an_upload_is_asked_for_again_when_the_client_repeats_its_submission()
    {
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(2, 300, seed: 4));
        var count = JobDataStorage.ChunkCount(data.Model.LongLength);
        Assert.Equal(2, count);
        var manager = Manager();
        var client = CreateTestProbe();

        manager.Tell(Submit("lossy", data, client), client);
        Assert.Equal([0, 1], new[] { client.ExpectMsg<SendJobData>(Patience), client.ExpectMsg<SendJobData>(Patience) }
            .Select(send => send.Chunk));
        manager.Tell(new JobDataChunk("lossy", data.Hash, 1, count, JobDataStorage.Slice(data.Model, 1).ToArray(),
            null), client);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        manager.Tell(Submit("lossy", data, client), client);
        Assert.Equal(0, client.ExpectMsg<SendJobData>(Patience).Chunk);
        manager.Tell(new JobDataChunk("lossy", data.Hash, 0, count, JobDataStorage.Slice(data.Model, 0).ToArray(),
            null), client);
        Assert.Equal("lossy", client.FishForMessage<JobAccepted>(_ => true, Patience).JobId);
    }

    [Fact]
    public void Data_already_stored_is_not_asked_for_again_and_a_resubmitted_job_is_only_watched()
    {
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(2, 8, seed: 2));
        var manager = Manager();
        var client = CreateTestProbe();
        SubmitAccepted(manager, "first", data, client);

        var other = CreateTestProbe();
        manager.Tell(Submit("second", data, other), other);
        Assert.Equal("second", other.ExpectMsg<JobAccepted>(Patience).JobId);

        var again = CreateTestProbe();
        manager.Tell(Submit("first", data, again), again);
        Assert.Equal("first", again.ExpectMsg<JobAccepted>(Patience).JobId);
        again.FishForMessage<JobProgress>(p => p.JobId == "first", Patience);
        var jobs = Status(manager, "second").Jobs;
        Assert.Equal(["second"], jobs.Select(j => j.JobId));
    }

    [Fact]
    public void A_job_that_fails_validation_is_rejected_with_the_local_solvers_message_and_not_recorded()
    {
        // An Euler step is not rescaled (‖I + hDJ‖ is relative to 1), so h·J at 1e79 is refused.
        var model = NeuralOdeModel.OneLayer(Matrix.FromRowMajor(2, 2, [1e80, 0, 0, 1e80]));
        var job = Job with { Question = new IntervalQuestion(DiscreteStep: 0.1) };
        var expected = Assert.Throws<ArgumentException>(() =>
            IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify)).Message;
        var data = ModelCodec.ToJobData(model);
        var manager = Manager();
        var client = CreateTestProbe();

        manager.Tell(Submit("bad", data, client, job), client);
        client.ExpectMsg<SendJobData>(Patience);
        manager.Tell(new JobDataChunk("bad", data.Hash, 0, 1, data.Model, null), client);

        var rejected = client.ExpectMsg<JobRejected>(Patience);
        Assert.Equal(("bad", expected), (rejected.JobId, rejected.Reason));
        Assert.Empty(Status(manager, null).Jobs);
    }

    [Fact]
    public void Data_that_does_not_match_its_hash_is_rejected()
    {
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(1, 8, seed: 3));
        var forged = new string('0', data.Hash.Length);
        var manager = Manager();
        var client = CreateTestProbe();

        manager.Tell(Submit("forged", data with { Hash = forged }, client), client);
        client.ExpectMsg<SendJobData>(Patience);
        manager.Tell(new JobDataChunk("forged", forged, 0, 1, data.Model, null), client);

        Assert.Contains("does not match its hash", client.ExpectMsg<JobRejected>(Patience).Reason,
            StringComparison.Ordinal);
        Assert.Empty(_storage.Stored(forged));
    }

    [Fact]
    public void A_job_run_by_a_worker_ends_with_the_local_answer_which_a_late_watcher_and_the_status_list_get()
    {
        var model = TestModels.TimeSampled(2, 24, seed: 5);
        var data = ModelCodec.ToJobData(model);
        var manager = Manager();
        var cache = Sys.ActorOf(Props.Create(() => new JobDataCache()));
        Sys.ActorOf(Worker.Props(manager, cache, new WorkerSettings(), leaseSeconds: 30));
        var client = CreateTestProbe();

        manager.Tell(Submit("whole", data, client), client);
        client.ExpectMsg<SendJobData>(Patience);
        manager.Tell(new JobDataChunk("whole", data.Hash, 0, 1, data.Model, null), client);
        var answer = client.FishForMessage<JobCompleted>(_ => true, TimeSpan.FromMinutes(1)).Answer;

        var expected = IntervalSolver.Solve(model, Job.Question, Job.Inner, Job.Certify);
        ClusterJobSpecs.AssertSame(expected, answer);
        var late = CreateTestProbe();
        AwaitAssert(() =>
        {
            manager.Tell(new WatchJob("whole", late), late);
            ClusterJobSpecs.AssertSame(expected, late.ExpectMsg<JobCompleted>(TimeSpan.FromSeconds(1)).Answer);
        }, Patience);
        var summary = Assert.Single(Status(manager, null).Jobs);
        Assert.Equal(("done", expected.Lower), (summary.State, summary.Answer!.Lower));
        Assert.Equal(1, Status(manager, null).LiveWorkers);
    }

    [Fact]
    public void A_cancelled_job_ends_as_failed_its_watcher_is_told_and_a_second_cancel_finds_it_ended()
    {
        // No worker: the job would wait for one forever.
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(2, 8, seed: 6));
        var manager = Manager();
        var client = CreateTestProbe();
        SubmitAccepted(manager, "waiting", data, client);

        var user = CreateTestProbe();
        manager.Tell(new CancelJob("waiting"), user);
        Assert.Equal(new CancelReply("waiting", "running"), user.ExpectMsg<CancelReply>(Patience));
        var failed = client.FishForMessage<JobFailed>(_ => true, Patience);
        Assert.Equal(("waiting", CancelJob.Reason), (failed.JobId, failed.Reason));
        AwaitAssert(() =>
        {
            var job = Assert.Single(Status(manager, "waiting").Jobs);
            Assert.Equal(("failed", CancelJob.Reason), (job.State, job.Failure));
        }, Patience);

        manager.Tell(new CancelJob("waiting"), user);
        Assert.Equal(new CancelReply("waiting", "failed"), user.ExpectMsg<CancelReply>(Patience));
        manager.Tell(new CancelJob("nosuchjob"), user);
        Assert.Equal(new CancelReply("nosuchjob", null), user.ExpectMsg<CancelReply>(Patience));
    }

    private JobList Status(IActorRef manager, string? jobId)
    {
        var probe = CreateTestProbe();
        manager.Tell(new GetClusterStatus(jobId), probe);
        return probe.ExpectMsg<JobList>(Patience);
    }

    /// <summary>Submits a job of one chunk, sends the chunk when asked and waits until the job is accepted.</summary>
    private static void SubmitAccepted(IActorRef manager, string jobId, JobData data, TestProbe client)
    {
        manager.Tell(Submit(jobId, data, client), client);
        client.ExpectMsg<SendJobData>(Patience);
        manager.Tell(new JobDataChunk(jobId, data.Hash, 0, 1, data.Model, null), client);
        client.FishForMessage<JobAccepted>(_ => true, Patience);
    }

    private IActorRef Manager() => Sys.ActorOf(JobManager.Props(new DispatchSettings(), _storage));

    private static SubmitJob Submit(string jobId, JobData data, IActorRef watcher, JobSettings? job = null) =>
        new(jobId, job ?? Job, data.Hash, data.Model.LongLength, watcher);
}
