using Akka.Actor;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Protocol;

// Every message that crosses the wire between a client, the job manager, a job's coordinator, the task
// dispatcher and the workers. Tasks carry indices and the small per-step state (warm starts), never weights:
// those travel in chunks of raw bytes, once from the client to the job data store and once per node and job from
// the store to the node's cache, named by their content hash.

/// <summary>Any message of the cluster's protocols (serialized by Hyperion unless bound otherwise).</summary>
public interface IContractivityMessage;

/// <summary>A message about one job.</summary>
public interface IJobMessage : IContractivityMessage
{
    /// <summary>The job.</summary>
    string JobId { get; }
}

/// <summary>
/// What is asked of a model: the question, the inner search settings, how to certify and, if at all, how to shard
/// the layers over nodes.
/// </summary>
public sealed record JobSettings(
    IntervalQuestion Question, InnerOptions Inner, CertifyOptions Certify, ShardOptions? Shards = null);

/// <summary>
/// Layer sharding: the layers of the job's samples are held by shard actors on up to <paramref name="Nodes"/> worker
/// nodes, placed by the placement planner; a node holds at most <paramref name="NodeMemoryBytes"/> of weights (null:
/// no limit).
/// </summary>
public sealed record ShardOptions(int Nodes, long? NodeMemoryBytes = null);

/// <summary>
/// A model's weights as raw little-endian bytes (<see cref="ModelCodec"/>) and their SHA-256 (local only).
/// </summary>
public sealed record JobData(byte[] Model, string Hash);

// --- client ↔ cluster ---------------------------------------------------------------------------------------

/// <summary>
/// Submits a job whose data has <paramref name="DataBytes"/> bytes named by <paramref name="DataHash"/>; the store asks
/// the watcher for the chunks it lacks (<see cref="SendJobData"/>). Resubmitting the same id only watches the job.
/// Replies go to <paramref name="Watcher"/>.
/// </summary>
public sealed record SubmitJob(string JobId, JobSettings Settings, string DataHash, long DataBytes, IActorRef Watcher)
    : IJobMessage;

/// <summary>The job data store asks the submitting client for one chunk of the job's data.</summary>
public sealed record SendJobData(string JobId, string Hash, int Chunk) : IJobMessage;

/// <summary>Asks for the progress and the outcome of a job to be sent to <paramref name="Watcher"/>.</summary>
public sealed record WatchJob(string JobId, IActorRef Watcher) : IJobMessage;

/// <summary>The job was accepted (or was already known).</summary>
public sealed record JobAccepted(string JobId) : IJobMessage;

/// <summary>The job fails validation; <paramref name="Reason"/> is the message the local command prints.</summary>
public sealed record JobRejected(string JobId, string Reason) : IJobMessage;

/// <summary>How far a job is.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Phase">"searching", "certifying", "done" or "failed".</param>
/// <param name="OuterStep">Boxes evaluated so far.</param>
/// <param name="Theta">The tuned end being evaluated.</param>
/// <param name="SafeEnd">The best tuned end found so far that keeps the bound.</param>
/// <param name="Phi">φ at the last box evaluated.</param>
/// <param name="TasksDone">Tasks finished over the whole job.</param>
/// <param name="TasksTotal">Tasks issued over the whole job.</param>
/// <param name="LiveWorkers">Workers registered with the dispatcher.</param>
public sealed record JobProgress(
    string JobId, string Phase, int OuterStep, double? Theta, double? SafeEnd, double? Phi, int TasksDone,
    int TasksTotal, int LiveWorkers) : IJobMessage;

/// <summary>The job finished with this (certified) answer.</summary>
public sealed record JobCompleted(string JobId, IntervalAnswer Answer) : IJobMessage;

/// <summary>The job failed: a task failed on every attempt, or the job could not run, or it was cancelled.</summary>
public sealed record JobFailed(string JobId, string Reason) : IJobMessage;

/// <summary>
/// Asks the cluster to cancel a job: it ends as failed (<see cref="CancelJob.Reason"/>), its watchers are told, and
/// its tasks and shards are dropped. The sender gets a <see cref="CancelReply"/>.
/// </summary>
public sealed record CancelJob(string JobId) : IJobMessage
{
    /// <summary>The failure a cancelled job ends with.</summary>
    public const string Reason = "cancelled on request (actorcontractivity cancel)";
}

/// <summary>
/// The answer to <see cref="CancelJob"/>: the job's state when the request came (<c>running</c>: it is cancelled;
/// <c>done</c> or <c>failed</c>: it had ended and stays as it was), or null when the cluster has no such job.
/// </summary>
public sealed record CancelReply(string JobId, string? State) : IJobMessage;

/// <summary>Asks a node for the jobs and members it knows; the reply is a <see cref="ClusterStatus"/>.</summary>
public sealed record GetClusterStatus(string? JobId) : IContractivityMessage;

/// <summary>The job manager's answer to a status request (before the members are added).</summary>
public sealed record JobList(IReadOnlyList<JobSummary> Jobs, int LiveWorkers) : IContractivityMessage;

/// <summary>What one job is doing.</summary>
public sealed record JobSummary(
    string JobId, string State, DateTime SubmittedUtc, JobProgress? Progress, IntervalAnswer? Answer, string? Failure);

/// <summary>One member of the cluster.</summary>
public sealed record MemberSummary(string Address, string Status, IReadOnlyList<string> Roles);

/// <summary>A node's answer to <see cref="GetClusterStatus"/>.</summary>
public sealed record ClusterStatus(
    IReadOnlyList<JobSummary> Jobs, IReadOnlyList<MemberSummary> Members, int LiveWorkers) : IContractivityMessage;

// --- coordinator ↔ dispatcher -------------------------------------------------------------------------------

/// <summary>One piece of work; results are deterministic in the task and the job, so any attempt may answer.</summary>
public abstract record TaskSpec(string TaskId);

/// <summary>One sample's worst case in one box by a single call (enumeration, a point box, a closed form).</summary>
public sealed record SolveSampleTask(string TaskId, int Sample, double Lower, double Upper, WarmStart[]? Warm)
    : TaskSpec(TaskId);

/// <summary>One start of the gradient search of one sample in one box.</summary>
public sealed record ClimbTask(
    string TaskId, int Sample, double Lower, double Upper, int Start, WarmStart From, bool Polish) : TaskSpec(TaskId);

/// <summary>Combines the climbs of one sample (in start order) into its worst case.</summary>
public sealed record FinishTask(string TaskId, int Sample, double Lower, double Upper, Climb[] Climbs)
    : TaskSpec(TaskId);

/// <summary>Finds and proves the matrix cube bound's safe end from the witness end within some seconds.</summary>
public sealed record BoundTask(string TaskId, double WitnessEnd, double Seconds) : TaskSpec(TaskId);

/// <summary>
/// Splits one sample's branch-and-bound tree for the decision on the box of θ (<c>PartitionedDecision.Split</c>);
/// <paramref name="Incumbent"/> is the witness pattern for its own sample. <paramref name="Until"/>, when set, is the
/// decision's deadline (UTC): a task that waited in the queue gets only what is left of it. <paramref name="MaxNodes"/>
/// is the nodes the sample's whole tree may use (the split's subtrees share what the split leaves).
/// </summary>
public sealed record SplitTask(
    string TaskId, int Sample, double Theta, double[]? Incumbent, double MaxSeconds, DateTime? Until = null,
    long MaxNodes = long.MaxValue)
    : TaskSpec(TaskId);

/// <summary>
/// Searches one subtree that the split of a sample handed on (<c>PartitionedDecision.Search</c>), within
/// <paramref name="MaxSeconds"/> and <paramref name="MaxNodes"/> and before <paramref name="Until"/> (UTC) when set,
/// from the bound multipliers the split handed on with it.
/// </summary>
public sealed record SubtreeTask(
    string TaskId, int Sample, double Theta, double[]? Incumbent, Subtree Subtree, double MaxSeconds,
    DateTime? Until = null, double[]? Multipliers = null, long MaxNodes = long.MaxValue)
    : TaskSpec(TaskId);

/// <summary>What a task produced.</summary>
public abstract record TaskOutcome;

/// <summary>A sample's worst case (from <see cref="SolveSampleTask"/> or <see cref="FinishTask"/>).</summary>
public sealed record SampleSolved(InnerResult Result) : TaskOutcome;

/// <summary>Where a start's climb ended.</summary>
public sealed record Climbed(Climb Climb) : TaskOutcome;

/// <summary>The bound's proven safe end, or null when it proved none.</summary>
public sealed record BoundFound(SafeEndCertificate? Certificate) : TaskOutcome;

/// <summary>What a split or a subtree search found.</summary>
public sealed record PartSearched(DecisionPart Part) : TaskOutcome;

/// <summary>Queues tasks of a job; tasks already queued, running or done are not queued twice.</summary>
public sealed record EnqueueTasks(string JobId, string DataHash, IReadOnlyList<TaskSpec> Tasks) : IJobMessage;

/// <summary>The first result of a task, forwarded to its job's coordinator.</summary>
public sealed record TaskCompleted(string JobId, string TaskId, TaskOutcome Outcome, int LiveWorkers) : IJobMessage;

/// <summary>A task failed on every attempt; <paramref name="Message"/> is the last failure.</summary>
public sealed record TaskGaveUp(string JobId, string TaskId, string Message) : IJobMessage;

/// <summary>
/// Tasks no longer needed (a decision was reached without them): dropped, their late results ignored.
/// </summary>
public sealed record CancelTasks(string JobId, IReadOnlyList<string> TaskIds) : IJobMessage;

/// <summary>The job ended: its queued tasks are dropped and late results ignored.</summary>
public sealed record ForgetJob(string JobId) : IJobMessage;

// --- dispatcher ↔ worker (pull) -------------------------------------------------------------------------------

/// <summary>An idle worker asks for work (repeated while it stays idle, so a new dispatcher learns of it).</summary>
public sealed record RequestWork(IActorRef Worker) : IContractivityMessage;

/// <summary>A task leased to a worker.</summary>
public sealed record WorkAssigned(string JobId, string TaskId, int Attempt, string DataHash, TaskSpec Task)
    : IJobMessage;

/// <summary>The worker is still computing: its lease is extended.</summary>
public sealed record WorkInProgress(string JobId, string TaskId, int Attempt) : IJobMessage;

/// <summary>The worker finished the task; it is idle again (a completion is also a request for work).</summary>
public sealed record WorkCompleted(string JobId, string TaskId, int Attempt, TaskOutcome Outcome) : IJobMessage;

/// <summary>The task threw on the worker; it is retried until the attempts run out.</summary>
public sealed record WorkFailed(string JobId, string TaskId, int Attempt, string Message) : IJobMessage;

/// <summary>The worker cannot take the task now (busy, or the job's data is unavailable); not a failure.</summary>
public sealed record WorkRejected(string JobId, string TaskId, int Attempt) : IJobMessage;

// --- job data (once per node and job, in chunks) ---------------------------------------------------------------

/// <summary>A node asks for one chunk of a job's data by content hash.</summary>
public sealed record FetchJobData(string JobId, string Hash, int Chunk) : IJobMessage;

/// <summary>
/// One chunk of a job's data (written as raw bytes by <c>JobDataSerializer</c>): from the client to the store, and
/// from the store to a node, which also gets the job's settings with it.
/// </summary>
public sealed record JobDataChunk(string JobId, string Hash, int Index, int Count, byte[] Bytes, JobSettings? Settings)
    : IJobMessage;

// --- coordinator ↔ layer shards ------------------------------------------------------------------------------

/// <summary>One contiguous run of a sample's layers that one shard holds.</summary>
/// <param name="Sample">The sample.</param>
/// <param name="FirstLayer">Index of its first layer in the sample.</param>
/// <param name="LayerCount">How many consecutive layers.</param>
/// <param name="SlopeOffset">Where their slopes start in the sample's flat slopes.</param>
public sealed record ShardPiece(int Sample, int FirstLayer, int LayerCount, int SlopeOffset);

/// <summary>
/// Where a layer's row-major values are in a model's bytes (<see cref="ModelLayout"/>) and its shape.
/// </summary>
/// <param name="Offset">The position of the first value's first byte.</param>
/// <param name="Rows">The layer's rows.</param>
/// <param name="Cols">The layer's columns.</param>
public sealed record LayerSpan(long Offset, int Rows, int Cols)
{
    /// <summary>The number of bytes of the values.</summary>
    public long Length => 8L * Rows * Cols;
}

/// <summary>What a shard host needs besides the layers' values to build a piece.</summary>
/// <param name="Time">The time of the piece's sample.</param>
/// <param name="SampleLayers">The number of layers of the piece's sample.</param>
/// <param name="Layers">The piece's layers, in order.</param>
public sealed record PieceLayout(double Time, int SampleLayers, LayerSpan[] Layers);

/// <summary>The SHA-256 of one chunk of a job's data.</summary>
public sealed record ChunkHash(int Index, byte[] Sha256);

/// <summary>
/// Asks a node's shard host to build shards of a job's layers from the job's data: it fetches by content hash from
/// the job manager only the chunks the pieces' layers are in, checks each against its hash and keeps only those
/// layers. The reply is <see cref="ShardsBuilt"/>. The shards stop when the sender does.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="DataHash">The hash of the job's data.</param>
/// <param name="Pieces">The pieces to build.</param>
/// <param name="Layouts">Each piece's layout, in the order of <paramref name="Pieces"/>.</param>
/// <param name="Chunks">The hashes of the chunks the pieces' layers are in, in ascending order of index.</param>
public sealed record BuildShards(string JobId, string DataHash, ShardPiece[] Pieces, PieceLayout[] Layouts,
    ChunkHash[] Chunks) : IJobMessage;

/// <summary>
/// The shards a host built, in the order of the request, and how many whole samples the host solves at once (its
/// compute threads), so that the driver keeps that many, and one more, on their way to it.
/// </summary>
public sealed record ShardsBuilt(string JobId, ShardPiece[] Pieces, IActorRef[] Shards, int Slots = 1) : IJobMessage;

/// <summary>
/// Solves a sample on the shard that holds all its layers, where its weights are (attempt <paramref name="Run"/>).
/// </summary>
public sealed record SolveOnShard(string JobId, string TaskId, int Run, double Lower, double Upper, WarmStart[]? Warm)
    : IJobMessage;

/// <summary>A sample solved on its shard, or the failure that stopped it.</summary>
public sealed record ShardSolved(string JobId, string TaskId, int Run, InnerResult? Result, string? Failure)
    : IJobMessage;

/// <summary>
/// A call of <see cref="ILayerBlock"/> on a shard, for climb <see cref="Climb"/> (the driver's attempt in the high
/// half, the climb of its pipeline in the low half, so that a climb of an abandoned attempt never meets a new one):
/// one message type per method, each answered (the driver waits for every answer, so calls never overtake each other).
/// </summary>
public abstract record BlockCall(long Climb) : IContractivityMessage;

/// <summary><see cref="ILayerBlock.Open"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockOpen(long Climb, double Lower, double Upper, double[] Slopes, double[] Gradient)
    : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.Forward"/>; answered by <see cref="BlockVector"/>.</summary>
public sealed record BlockForward(long Climb, double[] X) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.Backward"/>; answered by <see cref="BlockVector"/>.</summary>
public sealed record BlockBackward(long Climb, double[] Y) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.KeepGradient"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockKeepGradient(long Climb, double? Scale) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.Accept"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockAccept(long Climb) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.ProposeStep"/>; answered by <see cref="BlockAnswer"/> (the flag).</summary>
public sealed record BlockProposeStep(long Climb, double Step) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.ProposeVertex"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockProposeVertex(long Climb) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.ProposeFlip"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockProposeFlip(long Climb, int Slope) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.IsVertex"/>; answered by <see cref="BlockAnswer"/> (the flag).</summary>
public sealed record BlockIsVertex(long Climb) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.CountGradient"/>; answered by <see cref="BlockAnswer"/> (the count).</summary>
public sealed record BlockCountGradient(long Climb, double AtMost) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.FlipCandidates"/>; answered by <see cref="BlockCandidates"/>.</summary>
public sealed record BlockFlipCandidates(long Climb, int Limit, double Value, double[] Vector) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.Read"/>; answered by <see cref="BlockSlices"/>.</summary>
public sealed record BlockRead(long Climb) : BlockCall(Climb);

/// <summary><see cref="ILayerBlock.Close"/>; answered by <see cref="BlockAnswer"/>.</summary>
public sealed record BlockClose(long Climb) : BlockCall(Climb);

/// <summary>A shard's vector answer (a forward or backward pass).</summary>
public sealed record BlockVector(double[] Values) : IContractivityMessage;

/// <summary>A shard's scalar answer: the flag or the count asked for (true and 0 when it asked none).</summary>
public sealed record BlockAnswer(bool Flag, int Count) : IContractivityMessage
{
    /// <summary>The answer of a call that returns nothing.</summary>
    public static readonly BlockAnswer Done = new(true, 0);
}

/// <summary>A shard's most promising flips.</summary>
public sealed record BlockCandidates(FlipCandidate[] Candidates) : IContractivityMessage;

/// <summary>A shard's current slopes and gradient (its slices).</summary>
public sealed record BlockSlices(double[] Slopes, double[] Gradient) : IContractivityMessage;

// --- persisted events ---------------------------------------------------------------------------------------

/// <summary>An event of the job journal (job manager or coordinator).</summary>
public interface IJobEvent
{
    /// <summary>The job.</summary>
    string JobId { get; }
}

/// <summary>
/// The job manager accepted a job: its settings and the content hash of its data (kept in the store).
/// </summary>
public sealed record JobRegistered(
    string JobId, JobSettings Settings, string DataHash, long DataBytes, DateTime SubmittedUtc) : IJobEvent;

/// <summary>A job ended with an answer or a failure.</summary>
public sealed record JobEnded(string JobId, IntervalAnswer? Answer, string? Failure) : IJobEvent;

/// <summary>
/// Every sample's worst case in one box of the outer iteration (in sample order): replaying these through the
/// outer search and the sweep state rebuilds the coordinator exactly.
/// </summary>
public sealed record BoxEvaluated(string JobId, int Step, double Lower, double Upper, InnerResult[] Results)
    : IJobEvent;

/// <summary>A decision of the certification came out (replayed through <c>CertifySearch.Decided</c>).</summary>
public sealed record CertifyDecided(string JobId, int Step, BoxDecision Decision, double Seconds) : IJobEvent;

/// <summary>The bound of the certification proved a safe end or none (<c>CertifySearch.Bounded</c>).</summary>
public sealed record CertifyBounded(string JobId, int Step, SafeEndCertificate? Certificate, double Seconds)
    : IJobEvent;
