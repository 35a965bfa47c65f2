using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Workers;

/// <summary>Runs one task of a job: the Core call behind it (<see cref="TaskRunner.Run"/> in production).</summary>
public delegate TaskOutcome RunTask(NeuralOdeModel model, JobSettings settings, TaskSpec task, int threads);

/// <summary>
/// Pulls tasks from the dispatcher one at a time. While idle it asks for work every
/// <see cref="WorkerSettings.IdleRequestSeconds"/> (through the job manager's singleton proxy, so a dispatcher that
/// moved to another node learns of it); with a task it fetches the job's model from the node's
/// <see cref="JobDataCache"/>, has its <see cref="Computation"/> child run it on the dedicated compute dispatcher, and
/// renews the lease while it waits, so the actor itself never blocks and a long task is not issued twice.
/// </summary>
public sealed class Worker : ReceiveActor, IWithTimers
{
    /// <summary>The dispatcher of the compute children (configured by the hosting extensions).</summary>
    public const string ComputeDispatcher = "contractivity-compute-dispatcher";

    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(15);

    private readonly IActorRef _dispatcher;
    private readonly IActorRef _data;
    private readonly WorkerSettings _settings;
    private readonly TimeSpan _renewEvery;
    private readonly IActorRef _computation;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private WorkAssigned? _task;
    private IActorRef _leaser = ActorRefs.Nobody;

    /// <summary>
    /// Creates a worker that asks <paramref name="dispatcher"/> for work and runs tasks with <paramref name="run"/>.
    /// </summary>
    public Worker(IActorRef dispatcher, IActorRef data, WorkerSettings settings, double leaseSeconds, RunTask run)
    {
        _dispatcher = dispatcher;
        _data = data;
        _settings = settings;
        _renewEvery = TimeSpan.FromSeconds(Math.Max(leaseSeconds / 3, 0.02));
        _computation = Context.ActorOf(
            Akka.Actor.Props.Create(() => new Computation(
                    run, settings.InnerThreads, Math.Max(settings.InnerThreads, settings.EffectiveCount)))
                .WithDispatcher(ComputeDispatcher),
            "computation");
        Idle();
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The props of a worker.</summary>
    public static Props Props(IActorRef dispatcher, IActorRef data, WorkerSettings settings, double leaseSeconds,
        RunTask? run = null) =>
        Akka.Actor.Props.Create(() => new Worker(dispatcher, data, settings, leaseSeconds, run ?? TaskRunner.Run));

    /// <inheritdoc />
    protected override void PreStart() => _dispatcher.Tell(new RequestWork(Self));

    private void Idle()
    {
        _task = null;
        Timers.Cancel("renew");
        Timers.Cancel("data");
        Timers.StartPeriodicTimer("request", RequestTick.Instance, TimeSpan.FromSeconds(_settings.IdleRequestSeconds));
        Become(() =>
        {
            Receive<RequestTick>(_ => _dispatcher.Tell(new RequestWork(Self)));
            Receive<WorkAssigned>(Accept);
            Receive<JobDataCache.ModelReady>(_ => { });
        });
    }

    private void Accept(WorkAssigned task)
    {
        _task = task;
        _leaser = Sender;
        Timers.Cancel("request");
        Timers.StartPeriodicTimer("renew", RenewTick.Instance, _renewEvery);
        Timers.StartSingleTimer("data", DataTimedOut.Instance, DataTimeout);
        _data.Tell(new JobDataCache.GetModel(task.JobId, task.DataHash, Sender));
        Become(Busy);
    }

    private void Busy()
    {
        Receive<JobDataCache.ModelReady>(ready => ready.JobId == _task!.JobId, ready =>
        {
            Timers.Cancel("data");
            _computation.Tell(new Computation.Run(ready.Model, ready.Settings, _task!.Task));
        });
        Receive<DataTimedOut>(_ =>
        {
            _log.Warning("No data for job {JobId} arrived; task {TaskId} goes back", _task!.JobId, _task.TaskId);
            _leaser.Tell(new WorkRejected(_task.JobId, _task.TaskId, _task.Attempt));
            Idle();
        });
        Receive<RenewTick>(_ => _leaser.Tell(new WorkInProgress(_task!.JobId, _task.TaskId, _task.Attempt)));
        Receive<Computation.Done>(done =>
        {
            _leaser.Tell(new WorkCompleted(_task!.JobId, _task.TaskId, _task.Attempt, done.Outcome));
            Idle();
        });
        Receive<Computation.Threw>(threw =>
        {
            _leaser.Tell(new WorkFailed(_task!.JobId, _task.TaskId, _task.Attempt, threw.Message));
            Idle();
        });
        Receive<WorkAssigned>(other => Sender.Tell(new WorkRejected(other.JobId, other.TaskId, other.Attempt)));
        Receive<RequestTick>(_ => { });
    }

    private sealed class RequestTick
    {
        public static readonly RequestTick Instance = new();
    }

    private sealed class RenewTick
    {
        public static readonly RenewTick Instance = new();
    }

    private sealed class DataTimedOut
    {
        public static readonly DataTimedOut Instance = new();
    }
}

/// <summary>
/// The CPU work of one worker, on the dedicated compute dispatcher so that the default dispatcher (remoting,
/// heartbeats, the dispatcher's bookkeeping) is never starved. A task that throws is reported, not rethrown.
/// A task may use <c>threads</c> threads inside Core, the split of a decision <c>splitThreads</c>: every other task
/// of its decision waits for it, so the node's other workers have nothing of that decision to do meanwhile.
/// </summary>
public sealed class Computation : ReceiveActor
{
    /// <summary>Creates the computation of a worker.</summary>
    public Computation(RunTask run, int threads, int splitThreads)
    {
        Receive<Run>(task =>
        {
            try
            {
                var inside = task.Task is SplitTask ? splitThreads : threads;
                Sender.Tell(new Done(run(task.Model, task.Settings, task.Task, inside)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Sender.Tell(new Threw($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
            }
        });
    }

    /// <summary>Runs a task.</summary>
    public sealed record Run(NeuralOdeModel Model, JobSettings Settings, TaskSpec Task);

    /// <summary>The task's outcome.</summary>
    public sealed record Done(TaskOutcome Outcome);

    /// <summary>The task threw.</summary>
    public sealed record Threw(string Message);
}
