using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Workers;

/// <summary>
/// One per node: the models of the jobs its workers run, fetched once per job from the job manager (through the
/// dispatcher that handed out the task) and checked against their content hash. Workers ask with
/// <see cref="GetModel"/> and get <see cref="ModelReady"/>.
/// </summary>
public sealed class JobDataCache : ReceiveActor
{
    /// <summary>Jobs whose models are kept; older ones are dropped first.</summary>
    public const int Capacity = 4;

    private static readonly TimeSpan RefetchAfter = TimeSpan.FromSeconds(3);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<ModelReady> _models = new();
    private readonly Dictionary<string, (List<IActorRef> Waiting, DateTime Asked)> _fetching = [];

    /// <summary>Creates an empty cache.</summary>
    public JobDataCache()
    {
        Receive<GetModel>(Get);
        Receive<JobDataReply>(Arrived);
    }

    /// <summary>Asks for a job's model; <paramref name="Source"/> is where to fetch it on a miss.</summary>
    public sealed record GetModel(string JobId, string Hash, IActorRef Source);

    /// <summary>A job's model and settings.</summary>
    public sealed record ModelReady(string JobId, string Hash, NeuralOdeModel Model, JobSettings Settings);

    private void Get(GetModel get)
    {
        if (_models.FirstOrDefault(m => m.JobId == get.JobId && m.Hash == get.Hash) is { } ready)
        {
            Sender.Tell(ready);
            return;
        }

        var now = DateTime.UtcNow;
        if (!_fetching.TryGetValue(get.JobId, out var fetch))
        {
            fetch = ([], DateTime.MinValue);
        }

        fetch.Waiting.Add(Sender);
        if (now - fetch.Asked > RefetchAfter)
        {
            get.Source.Tell(new FetchJobData(get.JobId, get.Hash));
            fetch.Asked = now;
        }

        _fetching[get.JobId] = fetch;
    }

    private void Arrived(JobDataReply reply)
    {
        var hash = Convert.ToHexString(SHA256.HashData(reply.Data.Model));
        if (hash != reply.Data.Hash || !_fetching.Remove(reply.JobId, out var fetch))
        {
            _log.Warning("Dropped job data of {JobId}: unexpected or corrupt", reply.JobId);
            return;
        }

        var ready = new ModelReady(reply.JobId, hash, ModelCodec.Decode(reply.Data.Model), reply.Settings);
        _models.AddFirst(ready);
        while (_models.Count > Capacity)
        {
            _models.RemoveLast();
        }

        _log.Info("Job data of {JobId} arrived ({Bytes} bytes)", reply.JobId, reply.Data.Model.Length);
        foreach (var waiting in fetch.Waiting.Distinct())
        {
            waiting.Tell(ready);
        }
    }
}
