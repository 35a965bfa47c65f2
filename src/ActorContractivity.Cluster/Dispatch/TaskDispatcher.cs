using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Dispatch;

/// <summary>
/// Hands tasks to workers that ask for work (pull: a worker gets a task only when it says it is idle, so no node
/// is sent more than it can take). Every task handed out is leased: it is issued again when its worker is
/// terminated (DeathWatch fires when the worker's node is removed), when the lease runs out without word from the
/// worker, or when the worker cannot take it. The first result of a task wins and is forwarded to the job's
/// coordinator; later results of the same task are ignored. A task that throws is retried until
/// <see cref="DispatchSettings.MaxAttempts"/> attempts have failed, then its job is told to give up. Requests for
/// a job's data go on to the job manager, its parent.
/// </summary>
public sealed class TaskDispatcher : ReceiveActor, IWithTimers
{
    private readonly DispatchSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<Entry> _pending = new();
    private readonly Dictionary<(string JobId, string TaskId), Entry> _known = [];
    private readonly Dictionary<string, HashSet<string>> _done = [];
    private readonly Dictionary<string, IActorRef> _coordinators = [];
    private readonly HashSet<IActorRef> _workers = [];
    private readonly LinkedList<IActorRef> _idle = new();

    /// <summary>Creates a dispatcher.</summary>
    public TaskDispatcher(DispatchSettings settings)
    {
        _settings = settings;
        Receive<EnqueueTasks>(Enqueue);
        Receive<RequestWork>(request => Idle(request.Worker));
        Receive<WorkCompleted>(Completed);
        Receive<WorkFailed>(Failed);
        Receive<WorkRejected>(rejected => Reissue(rejected.JobId, rejected.TaskId, rejected.Attempt, "rejected"));
        Receive<WorkInProgress>(Renew);
        Receive<ForgetJob>(forget => Forget(forget.JobId));
        Receive<FetchJobData>(fetch => Context.Parent.Forward(fetch));
        Receive<Terminated>(terminated => WorkerGone(terminated.ActorRef));
        Receive<CheckLeases>(_ => ExpireLeases());
        Receive<GetDispatcherState>(_ => Sender.Tell(State()));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The live workers, the tasks queued and the tasks leased.</summary>
    public sealed record DispatcherState(int Workers, int Idle, int Pending, int Leased);

    /// <summary>Asks for a <see cref="DispatcherState"/> (local only).</summary>
    public sealed class GetDispatcherState
    {
        /// <summary>The one instance.</summary>
        public static readonly GetDispatcherState Instance = new();

        private GetDispatcherState()
        {
        }
    }

    /// <summary>The number of workers registered, told to the parent whenever it changes (local only).</summary>
    public sealed record WorkersChanged(int Count);

    /// <inheritdoc />
    protected override void PreStart()
    {
        var every = TimeSpan.FromSeconds(Math.Max(_settings.LeaseSeconds / 4, 0.05));
        Timers.StartPeriodicTimer("leases", CheckLeases.Instance, every);
    }

    private DispatcherState State() =>
        new(_workers.Count, _idle.Count, _pending.Count, _known.Values.Count(e => e.Worker is not null));

    private void Enqueue(EnqueueTasks enqueue)
    {
        _coordinators[enqueue.JobId] = Sender;
        var done = _done.TryGetValue(enqueue.JobId, out var set) ? set : [];
        foreach (var task in enqueue.Tasks)
        {
            var key = (enqueue.JobId, task.TaskId);
            if (done.Contains(task.TaskId) || _known.ContainsKey(key))
            {
                continue;
            }

            var entry = new Entry(enqueue.JobId, enqueue.DataHash, task);
            _known[key] = entry;
            _pending.AddLast(entry);
        }

        AssignToIdle();
    }

    private void Idle(IActorRef worker)
    {
        if (_workers.Add(worker))
        {
            Context.Watch(worker);
            _log.Info("Worker {Worker} joined; {Workers} workers", worker.Path, _workers.Count);
            Context.Parent.Tell(new WorkersChanged(_workers.Count));
        }

        // A worker holding a lease is busy (or has not seen its assignment yet): it is not idle twice.
        if (_known.Values.Any(e => Equals(e.Worker, worker)) || _idle.Contains(worker))
        {
            return;
        }

        _idle.AddLast(worker);
        AssignToIdle();
    }

    private void AssignToIdle()
    {
        while (_pending.First is { } next && _idle.First is { } idle)
        {
            _pending.RemoveFirst();
            _idle.RemoveFirst();
            var entry = next.Value;
            entry.Attempt++;
            entry.Worker = idle.Value;
            entry.Deadline = DateTime.UtcNow.AddSeconds(_settings.LeaseSeconds);
            idle.Value.Tell(new WorkAssigned(entry.JobId, entry.Task.TaskId, entry.Attempt, entry.DataHash, entry.Task));
        }
    }

    private void Completed(WorkCompleted completed)
    {
        var key = (completed.JobId, completed.TaskId);
        if (_known.Remove(key, out var entry))
        {
            _pending.Remove(entry);
            if (!_done.TryGetValue(completed.JobId, out var done))
            {
                _done[completed.JobId] = done = [];
            }

            done.Add(completed.TaskId);
            if (_coordinators.TryGetValue(completed.JobId, out var coordinator))
            {
                coordinator.Tell(new TaskCompleted(completed.JobId, completed.TaskId, completed.Outcome, _workers.Count));
            }
        }
        else
        {
            _log.Debug("Ignored a late result of {JobId}/{TaskId} attempt {Attempt}", completed.JobId,
                completed.TaskId, completed.Attempt);
        }

        Idle(Sender);
    }

    private void Failed(WorkFailed failed)
    {
        var key = (failed.JobId, failed.TaskId);
        if (_known.TryGetValue(key, out var entry) && entry.Attempt == failed.Attempt)
        {
            entry.Failures++;
            _log.Warning("Task {JobId}/{TaskId} failed on attempt {Attempt}: {Message}", failed.JobId, failed.TaskId,
                failed.Attempt, failed.Message);
            if (entry.Failures >= _settings.MaxAttempts)
            {
                _known.Remove(key);
                if (_coordinators.TryGetValue(failed.JobId, out var coordinator))
                {
                    coordinator.Tell(new TaskGaveUp(failed.JobId, failed.TaskId, failed.Message));
                }
            }
            else
            {
                Requeue(entry);
            }
        }

        Idle(Sender);
    }

    private void Reissue(string jobId, string taskId, int attempt, string why)
    {
        if (_known.TryGetValue((jobId, taskId), out var entry) && entry.Attempt == attempt && entry.Worker is not null)
        {
            _log.Info("Task {JobId}/{TaskId} attempt {Attempt} is issued again: {Reason}", jobId, taskId, attempt, why);
            Requeue(entry);
        }
    }

    private void Renew(WorkInProgress progress)
    {
        if (_known.TryGetValue((progress.JobId, progress.TaskId), out var entry) && entry.Attempt == progress.Attempt)
        {
            entry.Deadline = DateTime.UtcNow.AddSeconds(_settings.LeaseSeconds);
        }
    }

    private void ExpireLeases()
    {
        var now = DateTime.UtcNow;
        foreach (var entry in _known.Values.Where(e => e.Worker is not null && e.Deadline < now).ToArray())
        {
            Reissue(entry.JobId, entry.Task.TaskId, entry.Attempt, "its lease expired");
        }
    }

    private void WorkerGone(IActorRef worker)
    {
        _workers.Remove(worker);
        _idle.Remove(worker);
        _log.Info("Worker {Worker} left; {Workers} workers", worker.Path, _workers.Count);
        Context.Parent.Tell(new WorkersChanged(_workers.Count));
        foreach (var entry in _known.Values.Where(e => Equals(e.Worker, worker)).ToArray())
        {
            Reissue(entry.JobId, entry.Task.TaskId, entry.Attempt, "its worker is gone");
        }
    }

    private void Forget(string jobId)
    {
        foreach (var key in _known.Keys.Where(k => k.JobId == jobId).ToArray())
        {
            _pending.Remove(_known[key]);
            _known.Remove(key);
        }

        _done.Remove(jobId);
        _coordinators.Remove(jobId);
    }

    /// <summary>A task issued again goes to the front: it is the oldest work of its job.</summary>
    private void Requeue(Entry entry)
    {
        entry.Worker = null;
        _pending.AddFirst(entry);
        AssignToIdle();
    }

    private sealed class Entry(string jobId, string dataHash, TaskSpec task)
    {
        public string JobId { get; } = jobId;

        public string DataHash { get; } = dataHash;

        public TaskSpec Task { get; } = task;

        public int Attempt { get; set; }

        public int Failures { get; set; }

        public IActorRef? Worker { get; set; }

        public DateTime Deadline { get; set; }
    }

    private sealed class CheckLeases
    {
        public static readonly CheckLeases Instance = new();
    }
}
