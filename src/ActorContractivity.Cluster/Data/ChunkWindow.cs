using Akka.Actor;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Data;

/// <summary>
/// Which chunks of a job's data a fetcher asks for, all of them or a given ascending list: up to a window's size
/// (<see cref="Size"/> unless the fetcher says otherwise) on their way ahead of the one it waits for, so that a
/// transfer is not one round trip per chunk. Chunks are accepted in order only; the store answers the requests of one
/// fetcher in the order they were sent, so a chunk out of order means a lost message, and the fetcher asks again from
/// the one it waits for (<see cref="Open"/>) when its transfer stalls (<see cref="Stalled"/>).
/// </summary>
public sealed class ChunkWindow
{
    /// <summary>
    /// Chunks asked for ahead of the one waited for, 1 MiB each: enough that the transfer is not a round trip per
    /// chunk (16 MiB in flight moved a job's data 2.3× faster than 4 MiB over loopback, bench/README.md).
    /// </summary>
    public const int Size = 16;

    /// <summary>How long a fetch waits for a chunk before it asks again from the one it waits for.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(3);

    private readonly IReadOnlyList<int>? _chunks;
    private readonly int _size;
    private int _arrived;
    private int _requested;
    private DateTime _asked;
    private int? _count;

    /// <summary>
    /// A window of <paramref name="size"/> chunks over all chunks of the data, as many as the first one to arrive
    /// tells.
    /// </summary>
    public ChunkWindow(int size = Size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
    }

    /// <summary>A window of <paramref name="size"/> chunks over the given chunks only, in ascending order.</summary>
    /// <exception cref="ArgumentException">The list is empty or not strictly ascending.</exception>
    public ChunkWindow(IReadOnlyList<int> chunks, int size = Size)
        : this(size)
    {
        if (chunks.Count == 0 || chunks[0] < 0
            || Enumerable.Range(1, chunks.Count - 1).Any(i => chunks[i - 1] >= chunks[i]))
        {
            throw new ArgumentException("expected a non-empty ascending list of chunk indices", nameof(chunks));
        }

        _chunks = chunks;
        _count = chunks.Count;
    }

    /// <summary>
    /// The chunk waited for; all before it that the window walks have arrived. Once all have, one past the last.
    /// </summary>
    public int Next => ChunkAt(_arrived);

    /// <summary>True once every chunk the window walks has arrived.</summary>
    public bool Done => _arrived == _count;

    /// <summary>The chunks to ask for on a start or after a stall: from <see cref="Next"/> on.</summary>
    public IReadOnlyList<int> Open()
    {
        _requested = _arrived;
        return More();
    }

    /// <summary>
    /// Whether the chunk (one of <paramref name="count"/> in the data) is the one waited for; if so, it is taken and
    /// the window moves on.
    /// </summary>
    public bool Accept(int index, int count)
    {
        if (Done || index != Next)
        {
            return false;
        }

        _count ??= count;
        _arrived++;
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
        var limit = _count is { } count ? Math.Min(count, _arrived + _size) : _arrived + 1;
        var ask = new List<int>();
        while (_requested < limit)
        {
            ask.Add(ChunkAt(_requested++));
        }

        return ask;
    }

    /// <summary>The index of the chunk at a position of the walk (past the end: one past the last).</summary>
    private int ChunkAt(int position) => _chunks is null ? position
        : position < _chunks.Count ? _chunks[position]
        : _chunks[^1] + 1;
}
