using Akka.Actor;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Data;

/// <summary>
/// Which chunks of a job's data a fetcher asks for: up to <see cref="Size"/> on their way ahead of the one it waits
/// for, so that a transfer is not one round trip per chunk. Chunks are accepted in order only; the store answers the
/// requests of one fetcher in the order they were sent, so a chunk out of order means a lost message, and the fetcher
/// asks again from the one it waits for (<see cref="Open"/>) when its transfer stalls (<see cref="Stalled"/>).
/// </summary>
public sealed class ChunkWindow
{
    /// <summary>Chunks asked for ahead of the one waited for (1 MiB each).</summary>
    public const int Size = 4;

    /// <summary>How long a fetch waits for a chunk before it asks again from the one it waits for.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(3);

    private int _requested;
    private DateTime _asked;
    private int? _count;

    /// <summary>The chunk waited for; all before it have arrived.</summary>
    public int Next { get; private set; }

    /// <summary>The chunks to ask for on a start or after a stall: from <see cref="Next"/> on.</summary>
    public IReadOnlyList<int> Open()
    {
        _requested = Next;
        return More();
    }

    /// <summary>Whether the chunk is the one waited for; if so, it is taken and the window moves on.</summary>
    public bool Accept(int index, int count)
    {
        if (index != Next)
        {
            return false;
        }

        _count = count;
        Next++;
        return true;
    }

    /// <summary>Whether nothing was asked for within <see cref="StallAfter"/> of <paramref name="now"/>.</summary>
    public bool Stalled(DateTime now) => now - _asked >= StallAfter;

    /// <summary>
    /// Asks <paramref name="source"/> for the chunks given by <see cref="Open"/> or <see cref="More"/>.
    /// </summary>
    public void Ask(IActorRef source, string jobId, string hash, IReadOnlyList<int> chunks)
    {
        foreach (var chunk in chunks)
        {
            source.Tell(new FetchJobData(jobId, hash, chunk));
        }

        _asked = DateTime.UtcNow;
    }

    /// <summary>The chunks to ask for now that the window moved (none once all are asked for).</summary>
    public IReadOnlyList<int> More()
    {
        // Before the first chunk tells how many there are, one is asked for.
        var limit = _count is { } count ? Math.Min(count, Next + Size) : Next + 1;
        var ask = new List<int>();
        while (_requested < limit)
        {
            ask.Add(_requested++);
        }

        return ask;
    }
}
