using System.Collections.Concurrent;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// A task scheduler with threads of its own. A driver of a sharded solve spends its time waiting for shards'
/// answers; on these threads (and the parallel climbs the solve starts inside, which inherit the scheduler) the
/// waiting never takes a thread from the pool that remoting and heartbeats run on.
/// </summary>
public sealed class DedicatedThreads : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _tasks = new();
    private readonly Thread[] _threads;

    /// <summary>Starts <paramref name="count"/> background threads named after <paramref name="name"/>.</summary>
    public DedicatedThreads(int count, string name)
    {
        _threads = Enumerable.Range(0, count).Select(i => new Thread(Work)
        {
            IsBackground = true,
            Name = $"{name}-{i}",
        }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Lets the threads finish the tasks queued and end.</summary>
    public void Dispose() => _tasks.CompleteAdding();

    /// <inheritdoc />
    protected override void QueueTask(Task task) => _tasks.Add(task);

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _threads.Contains(Thread.CurrentThread) && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void Work()
    {
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
