using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// One per worker node (<c>/user/layer-shards</c>): builds the <see cref="LayerShard"/>s a job's driver asks for.
/// It fetches the job's data by content hash from the job manager's store, chunk by chunk, and reads only the layers
/// of the pieces asked for (<see cref="LayerReader"/>), so the node holds its share of the weights and never the whole
/// model. One fetch per job at a time; requests for other pieces that come during a fetch wait for the next. A job's
/// shards stop when its driver does (DeathWatch: the job ended, or the coordinator's node is gone), or when a new
/// driver of the job takes over.
/// </summary>
public sealed class ShardHost : ReceiveActor, IWithTimers
{
    /// <summary>The host's name under <c>/user</c>.</summary>
    public const string Name = "layer-shards";

    private readonly IActorRef _source;
    private readonly int _threads;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string JobId, ShardPiece Piece), (IActorRef Shard, long Bytes)> _shards = [];
    private readonly Dictionary<string, IActorRef> _drivers = [];
    private readonly Dictionary<string, Fetch> _fetching = [];
    private int _built;

    /// <summary>
    /// A host that fetches job data from <paramref name="source"/> (the job manager's proxy) and lets a shard that
    /// solves a whole sample use <paramref name="threads"/> threads.
    /// </summary>
    public ShardHost(IActorRef source, int threads)
    {
        _source = source;
        _threads = threads;
        Receive<BuildShards>(Build);
        Receive<JobDataChunk>(Arrived);
        Receive<Terminated>(terminated => DriverGone(terminated.ActorRef));
        Receive<CheckStalled>(_ => AskAgain());
        Receive<GetState>(_ => Sender.Tell(new State(_shards.Count, _built, _shards.Values.Sum(s => s.Bytes))));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The props of a node's shard host.</summary>
    public static Props Props(IActorRef source, int threads) =>
        Akka.Actor.Props.Create(() => new ShardHost(source, threads));

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
        // Limitation: every host reads all chunks of the job data (to check the content hash), so the transfer and
        // the store's reads grow with the number of nodes although each keeps only its share; per-chunk hashes
        // would let a host fetch only the chunks its layers are in.
        var wanted = requests.SelectMany(r => r.Build.Pieces)
            .SelectMany(p => Enumerable.Range(p.FirstLayer, p.LayerCount).Select(j => (p.Sample, j)))
            .ToHashSet();
        var fetch = new Fetch(hash, new LayerReader((s, j) => wanted.Contains((s, j))), requests);
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

        try
        {
            fetch.Reader.Add(chunk.Bytes);
        }
        catch (FormatException e)
        {
            _log.Warning("Job data of {JobId} is unreadable: {Reason}", chunk.JobId, e.Message);
            _fetching.Remove(chunk.JobId);
            return;
        }

        if (fetch.Window.Next < chunk.Count)
        {
            fetch.Window.Ask(_source, chunk.JobId, fetch.Hash, fetch.Window.More());
            return;
        }

        _fetching.Remove(chunk.JobId);
        if (!fetch.Reader.Complete || fetch.Reader.Hash() != chunk.Hash)
        {
            // The drivers ask again for shards that do not come.
            _log.Warning("Dropped job data of {JobId}: it does not match its hash", chunk.JobId);
        }
        else
        {
            foreach (var (build, driver) in fetch.Requests)
            {
                Create(build, fetch.Reader, chunk.Settings);
                Reply(build, driver);
            }
        }

        if (fetch.Queued.Count > 0)
        {
            Start(chunk.JobId, chunk.Hash, fetch.Queued);
        }
    }

    private void Create(BuildShards build, LayerReader reader, JobSettings settings)
    {
        foreach (var piece in build.Pieces.Where(p => !_shards.ContainsKey((build.JobId, p))))
        {
            var layers = Enumerable.Range(piece.FirstLayer, piece.LayerCount)
                .Select(j => reader.Layers[(piece.Sample, j)]).ToArray();
            var block = new LayerBlock(layers, piece.FirstLayer, piece.SlopeOffset);
            var whole = piece.FirstLayer == 0 && piece.LayerCount == reader.LayerCounts[piece.Sample]
                ? new Sample(reader.Times[piece.Sample], layers)
                : null;
            var shard = Context.ActorOf(LayerShard.Props(block, whole, piece.Sample, settings, _threads),
                $"shard-{++_built}");
            _shards[(build.JobId, piece)] = (shard, block.Shape.WeightBytes);
        }

        _log.Info("Built {Count} shards of job {JobId}; {Shards} shards hold {Bytes} bytes of weights on this node",
            build.Pieces.Length, build.JobId, _shards.Count, _shards.Values.Sum(s => s.Bytes));
    }

    private void Reply(BuildShards build, IActorRef driver) =>
        driver.Tell(new ShardsBuilt(build.JobId, build.Pieces,
            build.Pieces.Select(p => _shards[(build.JobId, p)].Shard).ToArray()));

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

    private sealed class Fetch(string hash, LayerReader reader, List<(BuildShards Build, IActorRef Driver)> requests)
    {
        public string Hash { get; } = hash;

        public LayerReader Reader { get; } = reader;

        public List<(BuildShards Build, IActorRef Driver)> Requests { get; } = requests;

        public List<(BuildShards Build, IActorRef Driver)> Queued { get; } = [];

        public ChunkWindow Window { get; } = new();
    }

    private sealed class CheckStalled
    {
        public static readonly CheckStalled Instance = new();
    }
}
