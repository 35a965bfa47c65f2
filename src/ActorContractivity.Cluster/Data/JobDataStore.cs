using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Data;

/// <summary>
/// The job manager's store of job data by content hash (a child of the manager, on a dispatcher of its own because
/// the storage blocks). A submission whose data is not stored yet is held while the store asks the client for the
/// missing chunks, <see cref="ChunkWindow.Size"/> ahead of those that have arrived, so that an upload is not one round
/// trip per chunk; once all are in and their SHA-256 matches, the manager gets the bytes. A chunk lost on the way is
/// asked for again when the client repeats its submission. The store also reads a job's data back for a coordinator
/// that restarts and serves chunks to the nodes' caches.
/// </summary>
public sealed class JobDataStore : ReceiveActor
{
    /// <summary>The dispatcher of the store (configured by the hosting extensions).</summary>
    public const string StorageDispatcher = "contractivity-storage-dispatcher";

    private readonly IJobDataStorage _storage;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Upload> _uploading = [];

    /// <summary>Creates the store over a storage.</summary>
    public JobDataStore(IJobDataStorage storage)
    {
        _storage = storage;
        Receive<Ensure>(ensure => Check(ensure.Submit));
        Receive<JobDataChunk>(Uploaded);
        Receive<Load>(load => Sender.Tell(new Loaded(load.JobId, Read(load.Hash, load.Count))));
        Receive<Serve>(ServeChunk);
    }

    /// <summary>The props of a store on its dispatcher.</summary>
    public static Props Props(IJobDataStorage storage) =>
        Akka.Actor.Props.Create(() => new JobDataStore(storage)).WithDispatcher(StorageDispatcher);

    /// <summary>Makes sure a submission's data is stored; the sender gets <see cref="Ready"/> once it is.</summary>
    public sealed record Ensure(SubmitJob Submit);

    /// <summary>A submission's data is stored and checked: here are its bytes.</summary>
    public sealed record Ready(SubmitJob Submit, byte[] Bytes);

    /// <summary>Reads a job's data back; the reply is <see cref="Loaded"/>.</summary>
    public sealed record Load(string JobId, string Hash, int Count);

    /// <summary>
    /// A job's data as read back, or null when the store lacks some of it or it does not match its hash.
    /// </summary>
    public sealed record Loaded(string JobId, byte[]? Bytes);

    /// <summary>Sends a chunk of a job's data, with the job's settings, to the sender of the fetch.</summary>
    public sealed record Serve(FetchJobData Fetch, JobSettings Settings, int Count);

    private void Check(SubmitJob submit)
    {
        var count = JobDataStorage.ChunkCount(submit.DataBytes);
        var missing = Missing(submit.DataHash, count);
        if (missing is null)
        {
            Complete(submit, count, Sender);
            return;
        }

        var upload = _uploading[submit.DataHash] = new Upload(submit, missing);
        while (upload.Asked < upload.Missing.Count && upload.Asked < ChunkWindow.Size)
        {
            AskNext(upload);
        }
    }

    private void Uploaded(JobDataChunk chunk)
    {
        if (!_uploading.TryGetValue(chunk.Hash, out var upload) || chunk.Index < 0 || chunk.Index >= chunk.Count
            || chunk.Count != JobDataStorage.ChunkCount(upload.Submit.DataBytes)
            || chunk.Bytes.Length > JobDataStorage.ChunkBytes)
        {
            return;
        }

        _storage.Put(chunk.Hash, chunk.Index, chunk.Count, chunk.Bytes);
        if (!upload.Waiting.Remove(chunk.Index))
        {
            // Asked for before the client repeated its submission: stored, but the new round does not wait for it.
            return;
        }

        if (upload.Asked < upload.Missing.Count)
        {
            AskNext(upload);
            return;
        }

        if (upload.Waiting.Count > 0 || Missing(chunk.Hash, chunk.Count) is not null)
        {
            // The rest is on its way, or was lost: the client's repeated submission asks for it again.
            return;
        }

        _uploading.Remove(chunk.Hash);
        Complete(upload.Submit, chunk.Count, Context.Parent);
    }

    private static void AskNext(Upload upload)
    {
        var chunk = upload.Missing[upload.Asked++];
        upload.Waiting.Add(chunk);
        upload.Submit.Watcher.Tell(new SendJobData(upload.Submit.JobId, upload.Submit.DataHash, chunk));
    }

    private void Complete(SubmitJob submit, int count, IActorRef manager)
    {
        if (Read(submit.DataHash, count) is { } bytes && bytes.LongLength == submit.DataBytes)
        {
            manager.Tell(new Ready(submit, bytes));
            return;
        }

        _log.Warning("Job data of {JobId} does not match its hash {Hash}; it is dropped", submit.JobId,
            submit.DataHash);
        _storage.Delete(submit.DataHash);
        submit.Watcher.Tell(new JobRejected(submit.JobId,
            $"the job data does not match its hash {submit.DataHash} (corrupted in transfer)"));
    }

    private void ServeChunk(Serve serve)
    {
        var fetch = serve.Fetch;
        if (fetch.Chunk < 0 || fetch.Chunk >= serve.Count || _storage.Chunk(fetch.Hash, fetch.Chunk) is not { } bytes)
        {
            _log.Warning("Job data of {JobId} chunk {Chunk} is not in the store", fetch.JobId, fetch.Chunk);
            return;
        }

        Sender.Tell(new JobDataChunk(fetch.JobId, fetch.Hash, fetch.Chunk, serve.Count, bytes, serve.Settings));
    }

    /// <summary>The chunks not stored, in order, or null when all are.</summary>
    private List<int>? Missing(string hash, int count)
    {
        var stored = _storage.Stored(hash);
        var missing = Enumerable.Range(0, count).Where(i => !stored.Contains(i)).ToList();
        return missing.Count > 0 ? missing : null;
    }

    /// <summary>The whole data if every chunk is stored and the bytes match the hash.</summary>
    private byte[]? Read(string hash, int count)
    {
        var chunks = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (_storage.Chunk(hash, i) is not { } chunk)
            {
                return null;
            }

            chunks[i] = chunk;
        }

        var bytes = JobDataStorage.Join(chunks);
        return Convert.ToHexString(SHA256.HashData(bytes)) == hash ? bytes : null;
    }

    /// <summary>A submission whose data is coming in: the chunks it lacked, how many were asked for, those awaited.
    /// </summary>
    private sealed class Upload(SubmitJob submit, List<int> missing)
    {
        public SubmitJob Submit { get; } = submit;

        public List<int> Missing { get; } = missing;

        public int Asked { get; set; }

        public HashSet<int> Waiting { get; } = [];
    }
}
