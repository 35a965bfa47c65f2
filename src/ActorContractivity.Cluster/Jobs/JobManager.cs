using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorContractivity.Cluster.Dispatch;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// The cluster singleton (on the oldest node with the coordinator role; persistence id <c>job-manager</c>). It
/// validates and records submitted jobs with their weights, runs one <see cref="JobCoordinator"/> child per
/// running job and the one <see cref="TaskDispatcher"/>, serves job data to the nodes, answers status requests,
/// and records each job's outcome so that a late watcher still gets it. When the singleton moves or its node
/// restarts, recovery starts a coordinator for every job that had not ended, and each resumes from its own journal.
/// </summary>
public sealed class JobManager : ReceivePersistentActor
{
    /// <summary>The persistence id.</summary>
    public const string Id = "job-manager";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Job> _jobs = [];
    private readonly IActorRef _dispatcher;
    private int _liveWorkers;

    /// <summary>Creates the job manager.</summary>
    public JobManager(DispatchSettings dispatch)
    {
        _dispatcher = Context.ActorOf(Akka.Actor.Props.Create(() => new TaskDispatcher(dispatch)), "dispatcher");
        Recover<JobRegistered>(registered => _jobs[registered.JobId] = new Job(registered));
        Recover<JobEnded>(ended => _jobs[ended.JobId].End(ended));
        Command<SubmitJob>(Submit);
        Command<WatchJob>(Watch);
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
        Command<TaskDispatcher.WorkersChanged>(changed => _liveWorkers = changed.Count);
        Command<GetClusterStatus>(status => Sender.Tell(new JobList(
            _jobs.Values.Where(j => status.JobId is null || j.Registered.JobId == status.JobId)
                .OrderBy(j => j.Registered.SubmittedUtc).Select(j => j.Summary()).ToArray(),
            _liveWorkers)));
    }

    /// <inheritdoc />
    public override string PersistenceId => Id;

    /// <summary>The props of the job manager.</summary>
    public static Props Props(DispatchSettings dispatch) => Akka.Actor.Props.Create(() => new JobManager(dispatch));

    /// <inheritdoc />
    protected override void OnReplaySuccess()
    {
        foreach (var job in _jobs.Values.Where(j => j.State == "running"))
        {
            _log.Info("Job {JobId} is resumed after recovery", job.Registered.JobId);
            Run(job);
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

        if (Problem(submit) is { } problem)
        {
            _log.Info("Job {JobId} rejected: {Reason}", submit.JobId, problem);
            submit.Watcher.Tell(new JobRejected(submit.JobId, problem));
            return;
        }

        Persist(new JobRegistered(submit.JobId, submit.Settings, submit.Data, DateTime.UtcNow), registered =>
        {
            var job = _jobs[registered.JobId] = new Job(registered);
            _log.Info("Job {JobId} accepted", registered.JobId);
            Run(job);
            submit.Watcher.Tell(new JobAccepted(submit.JobId));
            job.Coordinator!.Tell(new WatchJob(submit.JobId, submit.Watcher));
        });
    }

    /// <summary>The message the local command would print for the job, or null when it is valid.</summary>
    private static string? Problem(SubmitJob submit)
    {
        try
        {
            return IntervalSolver.Problem(ModelCodec.Decode(submit.Data.Model), submit.Settings.Question);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or ModelShapeException)
        {
            return $"the model data is unreadable: {e.Message}";
        }
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
            default:
                job.Coordinator?.Tell(watch);
                break;
        }
    }

    private void Fetch(FetchJobData fetch)
    {
        if (_jobs.TryGetValue(fetch.JobId, out var job) && job.Registered.Data.Hash == fetch.Hash)
        {
            Sender.Tell(new JobDataReply(fetch.JobId, job.Registered.Settings, job.Registered.Data));
        }
    }

    private void Run(Job job)
    {
        var registered = job.Registered;
        job.Coordinator = Context.ActorOf(
            JobCoordinator.Props(registered.JobId, registered.Settings, registered.Data, _dispatcher),
            $"job-{registered.JobId}");
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
        public JobRegistered Registered { get; private set; } = registered;

        public string State { get; private set; } = "running";

        public IntervalAnswer? Answer { get; private set; }

        public string? Failure { get; private set; }

        public JobProgress? Progress { get; set; }

        public IActorRef? Coordinator { get; set; }

        public void End(JobEnded ended)
        {
            State = ended.Failure is null ? "done" : "failed";
            Answer = ended.Answer;
            Failure = ended.Failure;
            Coordinator = null;

            // An ended job's weights are not needed any more; its journal keeps them.
            Registered = Registered with { Data = Registered.Data with { Model = [] } };
        }

        public JobSummary Summary() =>
            new(Registered.JobId, State, Registered.SubmittedUtc, Progress, Answer, Failure);
    }
}
