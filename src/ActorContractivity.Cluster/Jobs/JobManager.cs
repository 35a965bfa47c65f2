using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Dispatch;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// The cluster singleton (on the oldest node with the coordinator role; persistence id <c>job-manager</c>). It
/// validates and records submitted jobs (their settings and the content hash of their data; the bytes go to the
/// <see cref="JobDataStore"/>), runs one <see cref="JobCoordinator"/> child per running job and the one
/// <see cref="TaskDispatcher"/>, has the store serve job data to the nodes, answers status requests, and records
/// each job's outcome so that a late watcher still gets it. When the singleton moves or its node restarts,
/// recovery reads every job that had not ended back from the store and starts its coordinator, which resumes from
/// its own journal.
/// </summary>
public sealed class JobManager : ReceivePersistentActor
{
    /// <summary>The persistence id.</summary>
    public const string Id = "job-manager";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Job> _jobs = [];
    private readonly IActorRef _dispatcher;
    private readonly IActorRef _store;
    private int _liveWorkers;

    /// <summary>Creates the job manager over the storage of job data.</summary>
    public JobManager(DispatchSettings dispatch, IJobDataStorage storage)
    {
        _dispatcher = Context.ActorOf(Akka.Actor.Props.Create(() => new TaskDispatcher(dispatch)), "dispatcher");
        _store = Context.ActorOf(JobDataStore.Props(storage), "store");
        Recover<JobRegistered>(registered => _jobs[registered.JobId] = new Job(registered));
        Recover<JobEnded>(ended => _jobs[ended.JobId].End(ended));
        Command<SubmitJob>(Submit);
        Command<JobDataChunk>(chunk => _store.Forward(chunk));
        Command<JobDataStore.Ready>(Register);
        Command<JobDataStore.Loaded>(Loaded);
        Command<WatchJob>(Watch);
        Command<CancelJob>(Cancel);
        Command<RequestWork>(request => _dispatcher.Forward(request));
        Command<FetchJobData>(Fetch);
        Command<JobProgress>(progress =>
        {
            if (_jobs.TryGetValue(progress.JobId, out var job))
            {
                job.Progress = progress;
            }
        });
        Command<JobCoordinator.Ended>(Ended);
        Command<TaskDispatcher.WorkersChanged>(changed =>
        {
            // The coordinators show it in their progress (a sharded job's steps finish no dispatched task).
            _liveWorkers = changed.Count;
            foreach (var job in _jobs.Values)
            {
                job.Coordinator?.Tell(changed);
            }
        });
        Command<GetClusterStatus>(status => Sender.Tell(new JobList(
            _jobs.Values.Where(j => status.JobId is null || j.Registered.JobId == status.JobId)
                .OrderBy(j => j.Registered.SubmittedUtc).Select(j => j.Summary()).ToArray(),
            _liveWorkers)));
    }

    /// <inheritdoc />
    public override string PersistenceId => Id;

    /// <summary>The props of the job manager.</summary>
    public static Props Props(DispatchSettings dispatch, IJobDataStorage storage) =>
        Akka.Actor.Props.Create(() => new JobManager(dispatch, storage));

    /// <inheritdoc />
    protected override void OnReplaySuccess()
    {
        foreach (var job in _jobs.Values.Where(j => j.State == "running"))
        {
            _log.Info("Job {JobId} is resumed after recovery", job.Registered.JobId);
            var registered = job.Registered;
            _store.Tell(new JobDataStore.Load(registered.JobId, registered.DataHash,
                JobDataStorage.ChunkCount(registered.DataBytes)));
        }
    }

    private void Submit(SubmitJob submit)
    {
        if (_jobs.ContainsKey(submit.JobId))
        {
            submit.Watcher.Tell(new JobAccepted(submit.JobId));
            Watch(new WatchJob(submit.JobId, submit.Watcher));
            return;
        }

        _store.Tell(new JobDataStore.Ensure(submit));
    }

    /// <summary>A submission's data is in the store: the job is validated and, if valid, recorded and run.</summary>
    private void Register(JobDataStore.Ready ready)
    {
        var submit = ready.Submit;
        if (_jobs.ContainsKey(submit.JobId))
        {
            Submit(submit);
            return;
        }

        var (model, problem) = Decode(ready.Bytes, submit.Settings);
        if (problem is not null)
        {
            _log.Info("Job {JobId} rejected: {Reason}", submit.JobId, problem);
            submit.Watcher.Tell(new JobRejected(submit.JobId, problem));
            return;
        }

        var registered = new JobRegistered(submit.JobId, submit.Settings, submit.DataHash, submit.DataBytes,
            DateTime.UtcNow);
        Persist(registered, e =>
        {
            var job = _jobs[e.JobId] = new Job(e);
            _log.Info("Job {JobId} accepted ({Bytes} bytes of data, hash {Hash})", e.JobId, e.DataBytes, e.DataHash);
            Run(job, model!, ready.Bytes);
            submit.Watcher.Tell(new JobAccepted(submit.JobId));
            job.Coordinator!.Tell(new WatchJob(submit.JobId, submit.Watcher));
        });
    }

    /// <summary>The model of a job's bytes, or the message the local command would print for the job.</summary>
    private static (NeuralOdeModel? Model, string? Problem) Decode(byte[] bytes, JobSettings settings)
    {
        try
        {
            var model = ModelCodec.Decode(bytes);
            return IntervalSolver.Problem(model, settings.Question) is { } problem ? (null, problem) : (model, null);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or ModelShapeException)
        {
            return (null, $"the model data is unreadable: {e.Message}");
        }
    }

    /// <summary>A recovered job's data was read back from the store.</summary>
    private void Loaded(JobDataStore.Loaded loaded)
    {
        if (!_jobs.TryGetValue(loaded.JobId, out var job) || job.State != "running" || job.Coordinator is not null)
        {
            return;
        }

        var (model, problem) = loaded.Bytes is null
            ? (null, $"the data of job {loaded.JobId} (hash {job.Registered.DataHash}) is not in the job data store")
            : Decode(loaded.Bytes, job.Registered.Settings);
        if (problem is not null)
        {
            _log.Warning("Job {JobId} cannot resume: {Reason}", loaded.JobId, problem);
            Ended(new JobCoordinator.Ended(loaded.JobId, null, problem));
            return;
        }

        Run(job, model!, loaded.Bytes!);
    }

    private void Watch(WatchJob watch)
    {
        if (!_jobs.TryGetValue(watch.JobId, out var job))
        {
            watch.Watcher.Tell(new JobFailed(watch.JobId, $"no job {watch.JobId} is known to the cluster"));
            return;
        }

        switch (job.State)
        {
            case "done":
                watch.Watcher.Tell(new JobCompleted(watch.JobId, job.Answer!));
                break;
            case "failed":
                watch.Watcher.Tell(new JobFailed(watch.JobId, job.Failure!));
                break;
            case "running" when job.Coordinator is null:
                job.Waiting.Add(watch);
                break;
            default:
                job.Coordinator.Tell(watch);
                break;
        }
    }

    /// <summary>
    /// Cancels a running job: its coordinator ends it as failed, which tells its watchers and drops its tasks and
    /// shards. A job whose data is still being read back after a recovery has no coordinator yet and ends here.
    /// </summary>
    private void Cancel(CancelJob cancel)
    {
        var found = _jobs.TryGetValue(cancel.JobId, out var job);
        Sender.Tell(new CancelReply(cancel.JobId, job?.State));
        if (!found || job!.State != "running")
        {
            return;
        }

        _log.Info("Job {JobId} is cancelled on request", cancel.JobId);
        if (job.Coordinator is { } coordinator)
        {
            coordinator.Tell(JobCoordinator.Cancel.Instance);
            return;
        }

        foreach (var watch in job.Waiting)
        {
            watch.Watcher.Tell(new JobFailed(cancel.JobId, CancelJob.Reason));
        }

        job.Waiting.Clear();
        Ended(new JobCoordinator.Ended(cancel.JobId, null, CancelJob.Reason));
    }

    private void Fetch(FetchJobData fetch)
    {
        if (_jobs.TryGetValue(fetch.JobId, out var job) && job.Registered.DataHash == fetch.Hash)
        {
            _store.Forward(new JobDataStore.Serve(fetch, job.Registered.Settings,
                JobDataStorage.ChunkCount(job.Registered.DataBytes)));
        }
    }

    /// <summary>
    /// Starts a job's coordinator on its model and data; the SHA-256 of each chunk of the data goes with it when the
    /// job has layer shards, whose hosts fetch and check only the chunks of their layers.
    /// </summary>
    private void Run(Job job, NeuralOdeModel model, byte[] bytes)
    {
        var registered = job.Registered;
        var chunkHashes = LayerShards.Sharded(model, registered.Settings).Count > 0
            ? JobDataStorage.ChunkHashes(bytes)
            : [];
        job.Coordinator = Context.ActorOf(
            JobCoordinator.Props(registered.JobId, registered.Settings, model, registered.DataHash, chunkHashes,
                _dispatcher),
            $"job-{registered.JobId}");
        job.Coordinator.Tell(new TaskDispatcher.WorkersChanged(_liveWorkers));
        foreach (var watch in job.Waiting)
        {
            job.Coordinator.Tell(watch);
        }

        job.Waiting.Clear();
    }

    private void Ended(JobCoordinator.Ended ended)
    {
        if (!_jobs.TryGetValue(ended.JobId, out var job) || job.State != "running")
        {
            return;
        }

        var coordinator = job.Coordinator;
        Persist(new JobEnded(ended.JobId, ended.Answer, ended.Failure), e =>
        {
            job.End(e);
            if (coordinator is not null)
            {
                Context.Stop(coordinator);
            }
        });
    }

    private sealed class Job(JobRegistered registered)
    {
        public JobRegistered Registered { get; } = registered;

        public string State { get; private set; } = "running";

        public IntervalAnswer? Answer { get; private set; }

        public string? Failure { get; private set; }

        public JobProgress? Progress { get; set; }

        public IActorRef? Coordinator { get; set; }

        /// <summary>Watchers that asked while the job's data was being read back after recovery.</summary>
        public List<WatchJob> Waiting { get; } = [];

        public void End(JobEnded ended)
        {
            State = ended.Failure is null ? "done" : "failed";
            Answer = ended.Answer;
            Failure = ended.Failure;
            Coordinator = null;
        }

        public JobSummary Summary() =>
            new(Registered.JobId, State, Registered.SubmittedUtc, Progress, Answer, Failure);
    }
}
