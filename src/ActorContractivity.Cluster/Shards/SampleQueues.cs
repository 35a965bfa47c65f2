namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// The whole-sample solves of a sharded job that wait for their hosts: one queue per host (the node that holds the
/// sample's layers), in the order the driver got them, and the solves each host has on their way. A host gets its own
/// samples first, as many as it solves at once and one more, so that it never waits for a round trip. A host whose
/// queue has run dry takes a sample still waiting for the host with the most left (the last one, or one it already
/// holds a copy of), so that the hosts of an outer step finish together although their halves cost different
/// times. It solves a sample it took once it holds a copy of that sample's layers (<see cref="Hold"/>): the driver
/// has the copy built and keeps it for the rest of the job, so a host takes from the same end of its neighbour's
/// queue at the next step without fetching again. No host takes a second sample before the first one it took has
/// been sent. Host names are opaque; the driver uses node addresses.
/// </summary>
/// <typeparam name="T">A solve.</typeparam>
public sealed class SampleQueues<T>
    where T : notnull
{
    private readonly Func<T, int> _sampleOf;
    private readonly Dictionary<string, LinkedList<T>> _queues = [];
    private readonly Dictionary<string, int> _sent = [];
    private readonly Dictionary<string, int> _slots = [];
    private readonly Dictionary<string, (T Task, DateTime Since)> _taking = [];
    private readonly HashSet<(string Host, int Sample)> _copies = [];

    /// <summary>Queues whose solves belong to the sample <paramref name="sampleOf"/> gives.</summary>
    public SampleQueues(Func<T, int> sampleOf) => _sampleOf = sampleOf;

    /// <summary>The hosts known: those that queued a solve or said how many they solve at once.</summary>
    public IReadOnlyCollection<string> Hosts => _queues.Keys;

    /// <summary>Solves taken by a host from another host's queue so far.</summary>
    public int Taken { get; private set; }

    /// <summary>Copies of samples asked for so far.</summary>
    public int CopiesAsked { get; private set; }

    /// <summary>How many samples <paramref name="host"/> solves at once (one until it says).</summary>
    public void SetSlots(string host, int slots)
    {
        Queue(host);
        _slots[host] = Math.Max(slots, 1);
    }

    /// <summary>Queues a solve on the host that holds its sample.</summary>
    public void Enqueue(string host, T task) => Queue(host).AddLast(task);

    /// <summary>Queues a solve on the host that holds its sample, before the others (one given back).</summary>
    public void EnqueueFirst(string host, T task) => Queue(host).AddFirst(task);

    /// <summary><paramref name="host"/> now holds a copy of <paramref name="sample"/>'s layers.</summary>
    public void Hold(string host, int sample) => _copies.Add((host, sample));

    /// <summary><paramref name="host"/> no longer holds its copy of <paramref name="sample"/>.</summary>
    public void Drop(string host, int sample) => _copies.Remove((host, sample));

    /// <summary>Whether <paramref name="host"/> holds a copy of <paramref name="sample"/> (besides its own).</summary>
    public bool Holds(string host, int sample) => _copies.Contains((host, sample));

    /// <summary>A solve sent to <paramref name="host"/> ended (or was given up).</summary>
    public void Finished(string host)
    {
        if (_sent.TryGetValue(host, out var sent) && sent > 0)
        {
            _sent[host] = sent - 1;
        }
    }

    /// <summary>
    /// Forgets a host (its node left): its copies, its count of solves on their way, and returns every solve still
    /// waiting for it or taken by it, to be queued again where their samples are now.
    /// </summary>
    public IReadOnlyList<T> Forget(string host)
    {
        var back = new List<T>();
        if (_queues.Remove(host, out var queue))
        {
            back.AddRange(queue);
        }

        if (_taking.Remove(host, out var taking))
        {
            back.Add(taking.Task);
        }

        _sent.Remove(host);
        _slots.Remove(host);
        _copies.RemoveWhere(c => c.Host == host);
        return back;
    }

    /// <summary>Removes and returns every solve not sent yet (waiting in a queue or for a copy).</summary>
    public IReadOnlyList<T> Drain()
    {
        var all = _queues.Values.SelectMany(q => q).Concat(_taking.Values.Select(t => t.Task)).ToList();
        foreach (var queue in _queues.Values)
        {
            queue.Clear();
        }

        _taking.Clear();
        return all;
    }

    /// <summary>
    /// Removes and returns the solves taken more than <paramref name="patience"/> ago whose copy has not come, to be
    /// queued first again where their samples are.
    /// </summary>
    public IReadOnlyList<T> TakenLongerThan(TimeSpan patience, DateTime now)
    {
        var late = _taking.Where(t => now - t.Value.Since > patience).ToArray();
        foreach (var (host, _) in late)
        {
            _taking.Remove(host);
        }

        return late.Select(t => t.Value.Task).ToArray();
    }

    /// <summary>
    /// What to do now: the solves to send, each to the host that will solve it (its own or, when taken, a host that
    /// holds a copy), and the copies to build first (a solve taken by a host without one). The solves to send count as
    /// on their way from here on.
    /// </summary>
    public (IReadOnlyList<(string Host, T Task)> Send, IReadOnlyList<(string Host, T Task)> Copy) Next(DateTime now)
    {
        var send = new List<(string, T)>();
        var copy = new List<(string, T)>();
        foreach (var (host, taking) in _taking.Where(t => Holds(t.Key, _sampleOf(t.Value.Task))).ToArray())
        {
            _taking.Remove(host);
            send.Add((host, taking.Task));
            _sent[host] = Sent(host) + 1;
        }

        foreach (var (host, queue) in _queues)
        {
            while (queue.Count > 0 && Sent(host) < Room(host))
            {
                send.Add((host, queue.First!.Value));
                queue.RemoveFirst();
                _sent[host] = Sent(host) + 1;
            }
        }

        foreach (var (host, queue) in _queues)
        {
            if (queue.Count > 0 || _taking.ContainsKey(host) || Sent(host) >= Room(host))
            {
                continue;
            }

            var owner = _queues.Where(q => q.Key != host && q.Value.Count > 0)
                .OrderByDescending(q => q.Value.Count).Select(q => q.Key).FirstOrDefault();
            if (owner is null)
            {
                continue;
            }

            var from = _queues[owner];
            var node = Held(host, from) ?? from.Last!;
            from.Remove(node);
            Taken++;
            if (Holds(host, _sampleOf(node.Value)))
            {
                send.Add((host, node.Value));
                _sent[host] = Sent(host) + 1;
                continue;
            }

            _taking[host] = (node.Value, now);
            CopiesAsked++;
            copy.Add((host, node.Value));
        }

        return (send, copy);
    }

    /// <summary>The last solve in <paramref name="queue"/> of a sample <paramref name="host"/> has a copy of.</summary>
    private LinkedListNode<T>? Held(string host, LinkedList<T> queue)
    {
        for (var node = queue.Last; node is not null; node = node.Previous)
        {
            if (Holds(host, _sampleOf(node.Value)))
            {
                return node;
            }
        }

        return null;
    }

    private LinkedList<T> Queue(string host)
    {
        if (!_queues.TryGetValue(host, out var queue))
        {
            queue = new LinkedList<T>();
            _queues[host] = queue;
        }

        return queue;
    }

    private int Sent(string host) => _sent.GetValueOrDefault(host);

    /// <summary>A host's solves at once, and one more waiting on it so that it never waits for a round trip.</summary>
    private int Room(string host) => _slots.GetValueOrDefault(host, 1) + 1;
}
