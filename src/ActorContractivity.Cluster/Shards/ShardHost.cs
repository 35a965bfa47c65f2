using System.Diagnostics;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// One per worker node (<c>/user/layer-shards</c>): builds the <see cref="LayerShard"/>s a job's driver asks for.
/// It fetches from the job manager's store only the chunks of the job's data that the layers of the pieces asked for
/// are in (<see cref="BuildShards"/> tells where the layers are and each chunk's SHA-256), checks each chunk against
/// its hash and copies the layers' values out of it (<see cref="LayerReader"/>), so the node holds its share of the
/// weights and the chunks on their way, never the whole model. One fetch per job at a time; requests for other pieces
/// that come during a fetch wait for the next. A job's shards stop when its driver does (DeathWatch: the job ended,
/// or the coordinator's node is gone), or when a new driver of the job takes over.
/// </summary>
public sealed class ShardHost : ReceiveActor, IWithTimers
{
    /// <summary>The host's name under <c>/user</c>.</summary>
    public const string Name = "layer-shards";

    private readonly IActorRef _source;
    private readonly int _threads;
    private readonly int _slots;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string JobId, ShardPiece Piece), (IActorRef Shard, long Bytes)> _shards = [];
    private readonly Dictionary<string, IActorRef> _drivers = [];
    private readonly Dictionary<string, Fetch> _fetching = [];
    private int _built;

    /// <summary>
    /// A host that fetches job data from <paramref name="source"/> (the job manager's proxy), lets a shard that
    /// solves a whole sample use <paramref name="threads"/> threads, and solves up to <paramref name="slots"/>
    /// samples at once (the node's compute threads).
    /// </summary>
    public ShardHost(IActorRef source, int threads, int slots = 1)
    {
        _source = source;
        _threads = threads;
        _slots = Math.Max(slots, 1);
        Receive<BuildShards>(Build);
        Receive<JobDataChunk>(Arrived);
        Receive<Terminated>(terminated => DriverGone(terminated.ActorRef));
        Receive<CheckStalled>(_ => AskAgain());
        Receive<GetState>(_ => Sender.Tell(new State(_shards.Count, _built, _shards.Values.Sum(s => s.Bytes))));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The props of a node's shard host.</summary>
    public static Props Props(IActorRef source, int threads, int slots = 1) =>
        Akka.Actor.Props.Create(() => new ShardHost(source, threads, slots));

    /// <summary>Asks for the host's <see cref="State"/> (local only).</summary>
    public sealed class GetState
    {
        /// <summary>The one instance.</summary>
        public static readonly GetState Instance = new();

        private GetState()
        {
        }
    }

    /// <summary>The shards alive, the shards built since the host started, and the weight bytes they hold.</summary>
    public sealed record State(int Shards, int Built, long WeightBytes);

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer("stalled", CheckStalled.Instance, ChunkWindow.StallAfter);

    private void Build(BuildShards build)
    {
        Adopt(build.JobId, Sender);
        var missing = build.Pieces.Where(p => !_shards.ContainsKey((build.JobId, p))).ToArray();
        if (missing.Length == 0)
        {
            Reply(build, Sender);
            return;
        }

        if (_fetching.TryGetValue(build.JobId, out var fetch))
        {
            // A request repeated while the fetch runs is answered by it; one with new pieces waits for the next.
            var pieces = fetch.Requests.SelectMany(r => r.Build.Pieces).ToHashSet();
            (missing.All(pieces.Contains) ? fetch.Requests : fetch.Queued).Add((build, Sender));
            return;
        }

        Start(build.JobId, build.DataHash, [(build, Sender)]);
    }

    /// <summary>A new driver of a job replaces the old one, whose shards stop.</summary>
    private void Adopt(string jobId, IActorRef driver)
    {
        if (_drivers.TryGetValue(jobId, out var old) && old.Equals(driver))
        {
            return;
        }

        if (old is not null)
        {
            StopShards(jobId);
        }

        _drivers[jobId] = driver;
        Context.Watch(driver);
    }

    private void Start(string jobId, string hash, List<(BuildShards Build, IActorRef Driver)> requests)
    {
        var layers = requests.SelectMany(r => r.Build.Pieces.Zip(r.Build.Layouts, (piece, layout) =>
                layout.Layers.Select((span, j) => ((piece.Sample, piece.FirstLayer + j), span))))
            .SelectMany(l => l)
            .ToArray();
        var hashes = requests.SelectMany(r => r.Build.Chunks).DistinctBy(c => c.Index).ToDictionary(c => c.Index);
        var chunks = layers.SelectMany(l => ModelLayout.Chunks(l.span.Offset, l.span.Length)).Distinct().Order()
            .ToArray();
        var complete = requests.All(r => r.Build.Layouts.Length == r.Build.Pieces.Length
            && r.Build.Pieces.Zip(r.Build.Layouts, (piece, layout) => piece.LayerCount == layout.Layers.Length)
                .All(same => same));
        if (!complete || chunks.Length == 0 || chunks.Any(c => !hashes.ContainsKey(c)))
        {
            // The drivers ask again for shards that do not come.
            _log.Warning("Cannot build shards of {JobId}: the request does not tell where all its layers are or "
                + "the hashes of all chunks they are in", jobId);
            return;
        }

        var fetch = new Fetch(hash, new LayerReader(layers), chunks.Select(c => hashes[c]).ToArray(), requests);
        _fetching[jobId] = fetch;
        fetch.Window.Ask(_source, jobId, hash, fetch.Window.Open());
    }

    private void Arrived(JobDataChunk chunk)
    {
        if (!_fetching.TryGetValue(chunk.JobId, out var fetch) || fetch.Hash != chunk.Hash
            || chunk.Settings is null || !fetch.Window.Accept(chunk.Index, chunk.Count))
        {
            return;
        }

        if (!SHA256.HashData(chunk.Bytes).AsSpan().SequenceEqual(fetch.Chunks[chunk.Index].Sha256))
        {
            // The drivers ask again for shards that do not come.
            _log.Warning("Dropped job data of {JobId}: chunk {Index} does not match its hash", chunk.JobId,
                chunk.Index);
            Finish(chunk.JobId, fetch);
            return;
        }

        fetch.Reader.Add((long)chunk.Index * JobDataStorage.ChunkBytes, chunk.Bytes);
        if (!fetch.Window.Done)
        {
            fetch.Window.Ask(_source, chunk.JobId, fetch.Hash, fetch.Window.More());
            return;
        }

        foreach (var (build, driver) in fetch.Requests)
        {
            Create(build, fetch, chunk.Settings);
            Reply(build, driver);
        }

        Finish(chunk.JobId, fetch);
    }

    /// <summary>A fetch is over: the requests that came during it start the next.</summary>
    private void Finish(string jobId, Fetch fetch)
    {
        _fetching.Remove(jobId);
        if (fetch.Queued.Count > 0)
        {
            Start(jobId, fetch.Hash, fetch.Queued);
        }
    }

    private void Create(BuildShards build, Fetch fetch, JobSettings settings)
    {
        foreach (var (piece, layout) in build.Pieces.Zip(build.Layouts, (piece, layout) => (piece, layout))
                     .Where(p => !_shards.ContainsKey((build.JobId, p.piece))))
        {
            var layers = Enumerable.Range(piece.FirstLayer, piece.LayerCount)
                .Select(j => fetch.Reader.Layers[(piece.Sample, j)]).ToArray();
            var block = new LayerBlock(layers, piece.FirstLayer, piece.SlopeOffset);
            var whole = piece.FirstLayer == 0 && piece.LayerCount == layout.SampleLayers
                ? new Sample(layout.Time, layers)
                : null;
            var shard = Context.ActorOf(LayerShard.Props(block, whole, piece.Sample, settings, _threads),
                $"shard-{++_built}");
            _shards[(build.JobId, piece)] = (shard, block.Shape.WeightBytes);
        }

        _log.Info("Built {Count} shards of job {JobId} from {Chunks} chunks fetched in {Seconds:F2} s; {Shards} shards "
            + "hold {Bytes} bytes of weights in memory on this node", build.Pieces.Length, build.JobId,
            fetch.Chunks.Count, fetch.Clock.Elapsed.TotalSeconds, _shards.Count, _shards.Values.Sum(s => s.Bytes));
    }

    private void Reply(BuildShards build, IActorRef driver) =>
        driver.Tell(new ShardsBuilt(build.JobId, build.Pieces,
            build.Pieces.Select(p => _shards[(build.JobId, p)].Shard).ToArray(), _slots));

    private void DriverGone(IActorRef driver)
    {
        foreach (var jobId in _drivers.Where(d => d.Value.Equals(driver)).Select(d => d.Key).ToArray())
        {
            _drivers.Remove(jobId);
            _fetching.Remove(jobId);
            StopShards(jobId);
        }
    }

    private void StopShards(string jobId)
    {
        foreach (var key in _shards.Keys.Where(k => k.JobId == jobId).ToArray())
        {
            Context.Stop(_shards[key].Shard);
            _shards.Remove(key);
        }

        _log.Info("Stopped the shards of job {JobId}", jobId);
    }

    private void AskAgain()
    {
        var now = DateTime.UtcNow;
        foreach (var (jobId, fetch) in _fetching.Where(f => f.Value.Window.Stalled(now)).ToArray())
        {
            fetch.Window.Ask(_source, jobId, fetch.Hash, fetch.Window.Open());
        }
    }

    private sealed class Fetch(string hash, LayerReader reader, ChunkHash[] chunks,
        List<(BuildShards Build, IActorRef Driver)> requests)
    {
        public string Hash { get; } = hash;

        public LayerReader Reader { get; } = reader;

        /// <summary>The chunks fetched, with their hashes, by index.</summary>
        public Dictionary<int, ChunkHash> Chunks { get; } = chunks.ToDictionary(c => c.Index);

        public List<(BuildShards Build, IActorRef Driver)> Requests { get; } = requests;

        public List<(BuildShards Build, IActorRef Driver)> Queued { get; } = [];

        public ChunkWindow Window { get; } = new(chunks.Select(c => c.Index).ToArray());

        public Stopwatch Clock { get; } = Stopwatch.StartNew();
    }

    private sealed class CheckStalled
    {
        public static readonly CheckStalled Instance = new();
    }
}
