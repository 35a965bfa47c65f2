using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorContractivity.Cluster.Dispatch;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// Owns one job's outer iteration and its certification (event-sourced, persistence id <c>job-{JobId}</c>). For
/// each box the outer search asks for, it queues the box's tasks with the dispatcher, collects their results,
/// persists one <see cref="BoxEvaluated"/> and moves on; then, for each step the certification search asks for (a
/// decision by branch and bound split into subtree tasks, or the bound), it does the same and persists
/// <see cref="CertifyDecided"/> or <see cref="CertifyBounded"/>. After a crash it replays its events (rebuilding
/// both searches exactly) and queues the current step's tasks again. Progress goes to every watcher; the outcome
/// goes to its parent, the job manager, which records it.
/// </summary>
public sealed class JobCoordinator : ReceivePersistentActor
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    private readonly string _jobId;
    private readonly string _dataHash;
    private readonly IActorRef _dispatcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _watchers = [];
    private readonly IReadOnlySet<int> _sharded;
    private readonly IActorRef? _shards;
    private JobRun _run;
    private BoxWork? _box;
    private CertifyWork? _certify;
    private int _tasksDone;
    private int _tasksTotal;
    private int _liveWorkers;
    private DateTime _lastProgress = DateTime.MinValue;
    private bool _ended;
    private int? _workersUp;

    /// <summary>
    /// Creates the coordinator of a job whose data (<paramref name="model"/>) has the given hash, and whose chunks
    /// have <paramref name="chunkHashes"/> (for the hosts of its layer shards; empty when it has none).
    /// </summary>
    public JobCoordinator(string jobId, JobSettings settings, NeuralOdeModel model, string dataHash,
        IReadOnlyList<byte[]> chunkHashes, IActorRef dispatcher)
    {
        _jobId = jobId;
        _dataHash = dataHash;
        _dispatcher = dispatcher;
        _run = JobRun.Start(model, settings);
        // Limitation: the coordinator keeps the whole decoded model even when its layers are sharded (the outer
        // search and the certification read it), so its node needs the model's memory.
        _sharded = LayerShards.Sharded(model, settings);
        if (_sharded.Count > 0)
        {
            _shards = Context.ActorOf(
                LayerShards.Props(jobId, dataHash, model, settings, _sharded.Order().ToArray(), chunkHashes),
                "layer-shards");
        }

        Recover<BoxEvaluated>(evaluated => _run = _run.Apply(evaluated));
        Recover<CertifyDecided>(decided => _run = _run.Apply(decided));
        Recover<CertifyBounded>(bounded => _run = _run.Apply(bounded));
        Command<WatchJob>(watch =>
        {
            _watchers.Add(watch.Watcher);
            Context.Watch(watch.Watcher);
            watch.Watcher.Tell(Progress());
        });
        Command<Terminated>(terminated => _watchers.Remove(terminated.ActorRef));
        Command<TaskCompleted>(completed =>
        {
            _liveWorkers = completed.LiveWorkers;
            Completed(completed.TaskId, completed.Outcome);
        });
        Command<LayerShards.Solved>(solved => Completed(solved.TaskId, solved.Outcome));
        Command<LayerShards.Failed>(failed => End(null, failed.Reason));
        Command<TaskGaveUp>(gaveUp => End(null, $"task {gaveUp.TaskId} failed: {gaveUp.Message}"));
        Command<Cancel>(_ => End(null, CancelJob.Reason));
        Command<TaskDispatcher.WorkersChanged>(changed =>
        {
            _workersUp = changed.Count;
            Publish(force: true);
        });
    }

    /// <inheritdoc />
    public override string PersistenceId => $"job-{_jobId}";

    /// <summary>The props of a job's coordinator (local only: the model is not serialized).</summary>
    public static Props Props(string jobId, JobSettings settings, NeuralOdeModel model, string dataHash,
        IReadOnlyList<byte[]> chunkHashes, IActorRef dispatcher) =>
        Akka.Actor.Props.Create(() => new JobCoordinator(jobId, settings, model, dataHash, chunkHashes, dispatcher));

    /// <summary>The coordinator's outcome, told to its parent (local only).</summary>
    public sealed record Ended(string JobId, IntervalAnswer? Answer, string? Failure);

    /// <summary>Ends the job as cancelled (local only: from the job manager).</summary>
    public sealed class Cancel
    {
        /// <summary>The one instance.</summary>
        public static readonly Cancel Instance = new();

        private Cancel()
        {
        }
    }

    /// <inheritdoc />
    protected override void OnReplaySuccess()
    {
        if (_run.Step > 0)
        {
            _log.Info("Job {JobId} resumes at outer step {Step}, certification step {CertifyStep}", _jobId,
                _run.Step, _run.CertifySteps);
        }

        NextBox();
    }

    private void NextBox()
    {
        _box = _run.CurrentBox(_liveWorkers);
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
        var search = _run.Certifying;
        if (search.Next is not { } step)
        {
            End(search.Answer!, null);
            return;
        }

        _certify = new CertifyWork(_run, step);
        _tasksTotal += _certify.Issued;
        Enqueue(_certify.Initial);
        Publish(force: true);
    }

    private void Completed(string taskId, TaskOutcome outcome)
    {
        if (_certify is not null)
        {
            CertifyCompleted(taskId, outcome);
            return;
        }

        if (_box is null)
        {
            return;
        }

        var before = _box.Completed;
        var ready = _box.Complete(taskId, outcome);
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

    private void CertifyCompleted(string taskId, TaskOutcome outcome)
    {
        var work = _certify!;
        var before = work.Completed;
        var ready = work.Complete(taskId, outcome, _jobId);
        _tasksDone += work.Completed - before;
        _tasksTotal += ready.Count;
        Enqueue(ready);
        if (work.Result is not { } result)
        {
            Publish(force: false);
            return;
        }

        _certify = null;
        if (work.Open.Count > 0)
        {
            _tasksTotal -= work.Open.Count;
            _dispatcher.Tell(new CancelTasks(_jobId, work.Open));
        }

        Persist(result, e =>
        {
            _run = e switch
            {
                CertifyDecided decided => _run.Apply(decided),
                CertifyBounded bounded => _run.Apply(bounded),
                _ => _run,
            };
            _log.Info("Job {JobId} certification step {Step}: {Result}", _jobId, _run.CertifySteps, Describe(e));
            Certify();
        });
    }

    private static string Describe(IJobEvent e) => e switch
    {
        CertifyDecided d => $"{d.Decision.Outcome} after {d.Decision.Nodes} nodes",
        CertifyBounded { Certificate: { } c } => $"the bound proves {c.SafeEnd:R}",
        _ => "the bound proves no safe end",
    };

    /// <summary>The tasks of sharded samples go to the shards, the others to the dispatcher.</summary>
    private void Enqueue(IReadOnlyList<TaskSpec> tasks)
    {
        var sharded = tasks.OfType<SolveSampleTask>().Where(t => _sharded.Contains(t.Sample)).ToArray();
        if (sharded.Length > 0)
        {
            _shards!.Tell(new LayerShards.Solve(sharded));
        }

        var others = tasks.Except(sharded).ToArray();
        if (others.Length > 0)
        {
            _dispatcher.Tell(new EnqueueTasks(_jobId, _dataHash, others));
        }
    }

    private JobProgress Progress()
    {
        var search = _run.Search;
        var phase = _box is not null ? "searching" : _certify is not null ? "certifying" : "starting";
        var last = search.Steps.LastOrDefault();
        double? safe = search.Phase == OuterPhase.Bracketing ? search.SafeEnd : null;
        return new JobProgress(_jobId, phase, _run.Step, search.Box is null ? null : search.Theta, safe, last?.Phi,
            _tasksDone, _tasksTotal, _workersUp ?? _liveWorkers);
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
        if (_ended)
        {
            // A cancel request that crossed the job's end, or a second failure: the job has its outcome.
            return;
        }

        _ended = true;
        _log.Info("Job {JobId} {Outcome}", _jobId, failure is null ? "finished" : $"failed: {failure}");
        _box = null;
        _certify = null;
        IJobMessage outcome = answer is not null ? new JobCompleted(_jobId, answer) : new JobFailed(_jobId, failure!);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(outcome);
        }

        _dispatcher.Tell(new ForgetJob(_jobId));
        if (_shards is not null)
        {
            Context.Stop(_shards);
        }

        Context.Parent.Tell(new Ended(_jobId, answer, failure));
    }
}
