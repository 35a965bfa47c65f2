using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Workers;

/// <summary>
/// One per node: the models of the jobs its workers run, fetched once per job and node, chunk by chunk, from the
/// job manager's store (through the dispatcher that handed out the task) and checked against their content hash.
/// Workers ask with <see cref="GetModel"/> and get <see cref="ModelReady"/>; requests for a model on its way wait
/// for the one fetch. A few chunks are asked for ahead (<see cref="ChunkWindow"/>); a fetch that stalls asks again
/// from the chunk it waits for.
/// </summary>
public sealed class JobDataCache : ReceiveActor, IWithTimers
{
    /// <summary>Jobs whose models are kept; older ones are dropped first.</summary>
    public const int Capacity = 4;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<ModelReady> _models = new();
    private readonly Dictionary<(string JobId, string Hash), Fetch> _fetching = [];

    /// <summary>Creates an empty cache.</summary>
    public JobDataCache()
    {
        Receive<GetModel>(Get);
        Receive<JobDataChunk>(Arrived);
        Receive<CheckStalled>(_ => AskAgain());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Asks for a job's model; <paramref name="Source"/> is where to fetch it on a miss.</summary>
    public sealed record GetModel(string JobId, string Hash, IActorRef Source);

    /// <summary>A job's model and settings.</summary>
    public sealed record ModelReady(string JobId, string Hash, NeuralOdeModel Model, JobSettings Settings);

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer("stalled", CheckStalled.Instance, ChunkWindow.StallAfter);

    private void Get(GetModel get)
    {
        if (_models.FirstOrDefault(m => m.JobId == get.JobId && m.Hash == get.Hash) is { } ready)
        {
            Sender.Tell(ready);
            return;
        }

        var key = (get.JobId, get.Hash);
        var first = !_fetching.TryGetValue(key, out var fetch);
        if (first)
        {
            _fetching[key] = fetch = new Fetch();
        }

        fetch!.Source = get.Source;
        fetch.Waiting.Add(Sender);
        if (first)
        {
            fetch.Window.Ask(fetch.Source, get.JobId, get.Hash, fetch.Window.Open());
        }
    }

    private void Arrived(JobDataChunk chunk)
    {
        if (!_fetching.TryGetValue((chunk.JobId, chunk.Hash), out var fetch) || chunk.Settings is null
            || !fetch.Window.Accept(chunk.Index, chunk.Count))
        {
            return;
        }

        fetch.Chunks.Add(chunk.Bytes);
        if (fetch.Chunks.Count < chunk.Count)
        {
            fetch.Window.Ask(fetch.Source, chunk.JobId, chunk.Hash, fetch.Window.More());
            return;
        }

        _fetching.Remove((chunk.JobId, chunk.Hash));
        var bytes = JobDataStorage.Join(fetch.Chunks);
        if (Convert.ToHexString(SHA256.HashData(bytes)) != chunk.Hash)
        {
            _log.Warning("Dropped job data of {JobId}: it does not match its hash", chunk.JobId);
            return;
        }

        var ready = new ModelReady(chunk.JobId, chunk.Hash, ModelCodec.Decode(bytes), chunk.Settings);
        _models.AddFirst(ready);
        while (_models.Count > Capacity)
        {
            _models.RemoveLast();
        }

        _log.Info("Job data of {JobId} arrived ({Bytes} bytes in {Chunks} chunks)", chunk.JobId, bytes.Length,
            chunk.Count);
        foreach (var waiting in fetch.Waiting)
        {
            waiting.Tell(ready);
        }
    }

    private void AskAgain()
    {
        var now = DateTime.UtcNow;
        foreach (var ((jobId, hash), fetch) in _fetching.Where(f => f.Value.Window.Stalled(now)).ToArray())
        {
            fetch.Window.Ask(fetch.Source, jobId, hash, fetch.Window.Open());
        }
    }

    private sealed class Fetch
    {
        public List<byte[]> Chunks { get; } = [];

        public ChunkWindow Window { get; } = new();

        public HashSet<IActorRef> Waiting { get; } = [];

        public IActorRef Source { get; set; } = ActorRefs.Nobody;
    }

    private sealed class CheckStalled
    {
        public static readonly CheckStalled Instance = new();
    }
}
