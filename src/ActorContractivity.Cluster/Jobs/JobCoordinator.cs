using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// Owns one job's outer iteration (event-sourced, persistence id <c>job-{JobId}</c>). For each box the outer search
/// asks for, it queues the box's tasks with the dispatcher, collects their results, persists one
/// <see cref="BoxEvaluated"/> and moves on; when the search is done it has the answer certified by one more task.
/// After a crash it replays its events (rebuilding the search exactly) and queues the current box again. Progress
/// goes to every watcher; the outcome goes to its parent, the job manager, which records it.
/// </summary>
public sealed class JobCoordinator : ReceivePersistentActor
{
    /// <summary>The id of the certification task.</summary>
    public const string CertifyTaskId = "certify";

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    private readonly string _jobId;
    private readonly JobData _data;
    private readonly IActorRef _dispatcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _watchers = [];
    private JobRun _run;
    private BoxWork? _box;
    private IntervalAnswer? _estimate;
    private int _tasksDone;
    private int _tasksTotal;
    private int _liveWorkers;
    private DateTime _lastProgress = DateTime.MinValue;

    /// <summary>Creates the coordinator of a job.</summary>
    public JobCoordinator(string jobId, JobSettings settings, JobData data, IActorRef dispatcher)
    {
        _jobId = jobId;
        _data = data;
        _dispatcher = dispatcher;
        _run = JobRun.Start(ModelCodec.Decode(data.Model), settings);

        Recover<BoxEvaluated>(evaluated => _run = _run.Apply(evaluated));
        Command<WatchJob>(watch =>
        {
            _watchers.Add(watch.Watcher);
            Context.Watch(watch.Watcher);
            watch.Watcher.Tell(Progress());
        });
        Command<Terminated>(terminated => _watchers.Remove(terminated.ActorRef));
        Command<TaskCompleted>(Completed);
        Command<TaskGaveUp>(gaveUp => End(null, $"task {gaveUp.TaskId} failed: {gaveUp.Message}"));
    }

    /// <inheritdoc />
    public override string PersistenceId => $"job-{_jobId}";

    /// <summary>The props of a job's coordinator.</summary>
    public static Props Props(string jobId, JobSettings settings, JobData data, IActorRef dispatcher) =>
        Akka.Actor.Props.Create(() => new JobCoordinator(jobId, settings, data, dispatcher));

    /// <summary>The coordinator's outcome, told to its parent (local only).</summary>
    public sealed record Ended(string JobId, IntervalAnswer? Answer, string? Failure);

    /// <inheritdoc />
    protected override void OnReplaySuccess()
    {
        if (_run.Step > 0)
        {
            _log.Info("Job {JobId} resumes at outer step {Step}", _jobId, _run.Step);
        }

        NextBox();
    }

    private void NextBox()
    {
        _box = _run.CurrentBox();
        if (_box is null)
        {
            Certify();
            return;
        }

        _tasksTotal += _box.Issued;
        Enqueue(_box.Initial);
        Publish(force: true);
    }

    private void Certify()
    {
        _estimate = _run.Estimate();
        if (!IntervalSolver.NeedsCertification(_estimate, _run.Settings.Certify))
        {
            End(_estimate, null);
            return;
        }

        _tasksTotal++;
        Enqueue([new CertifyTask(CertifyTaskId, _estimate)]);
        Publish(force: true);
    }

    private void Completed(TaskCompleted completed)
    {
        _liveWorkers = completed.LiveWorkers;
        if (completed.Outcome is Certified certified)
        {
            if (_estimate is not null && completed.TaskId == CertifyTaskId)
            {
                _tasksDone++;
                End(certified.Answer, null);
            }

            return;
        }

        if (_box is null)
        {
            return;
        }

        var before = _box.Completed;
        var ready = _box.Complete(completed.TaskId, completed.Outcome);
        _tasksDone += _box.Completed - before;
        _tasksTotal += ready.Count;
        Enqueue(ready);
        if (!_box.Done)
        {
            Publish(force: false);
            return;
        }

        var evaluated = _box.Evaluated(_jobId);
        _box = null;
        Persist(evaluated, e =>
        {
            _run = _run.Apply(e);
            _log.Info("Job {JobId} outer step {Step}: θ = {Theta}, φ = {Phi}", _jobId, _run.Step,
                _run.Search.Steps.LastOrDefault()?.Theta, _run.Search.Steps.LastOrDefault()?.Phi);
            NextBox();
        });
    }

    private void Enqueue(IReadOnlyList<TaskSpec> tasks)
    {
        if (tasks.Count > 0)
        {
            _dispatcher.Tell(new EnqueueTasks(_jobId, _data.Hash, tasks));
        }
    }

    private JobProgress Progress()
    {
        var search = _run.Search;
        var phase = _box is not null ? "searching" : _estimate is not null ? "certifying" : "starting";
        var last = search.Steps.LastOrDefault();
        double? safe = search.Phase == OuterPhase.Bracketing ? search.SafeEnd : null;
        return new JobProgress(_jobId, phase, _run.Step, search.Box is null ? null : search.Theta, safe, last?.Phi,
            _tasksDone, _tasksTotal, _liveWorkers);
    }

    private void Publish(bool force)
    {
        var now = DateTime.UtcNow;
        if (!force && now - _lastProgress < ProgressEvery)
        {
            return;
        }

        _lastProgress = now;
        var progress = Progress();
        Context.Parent.Tell(progress);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(progress);
        }
    }

    private void End(IntervalAnswer? answer, string? failure)
    {
        _log.Info("Job {JobId} {Outcome}", _jobId, failure is null ? "finished" : $"failed: {failure}");
        _box = null;
        _estimate = null;
        IJobMessage outcome = answer is not null ? new JobCompleted(_jobId, answer) : new JobFailed(_jobId, failure!);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(outcome);
        }

        _dispatcher.Tell(new ForgetJob(_jobId));
        Context.Parent.Tell(new Ended(_jobId, answer, failure));
    }
}
