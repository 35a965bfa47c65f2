using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Placement;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// The coordinator's side of a job whose layers are sharded (a child of the job's coordinator). It places the layers
/// of the sharded samples on the worker nodes now in the cluster (<see cref="PlacementPlanner"/>, at most
/// <see cref="ShardOptions.Nodes"/> of them), has each node's <see cref="ShardHost"/> build its pieces, and then
/// solves the samples it is given: a sample whose layers one shard holds is solved on that shard, where its weights
/// are; a sample split over several shards is solved here, the eigen-solver's products with J and Jᵀ pipelined
/// through the shards (<see cref="RemoteLayerBlock"/>), each shard keeping its slopes and gradient slice. Either way
/// the result is the unsharded one bit for bit. Whole samples wait in one queue per node
/// (<see cref="SampleQueues{T}"/>): a node whose queue runs dry takes samples from the node with the most left, with a
/// copy of their layers built on it first, so that the nodes of an outer step finish together. When a shard's node
/// leaves, the placement is re-planned on the nodes left (moving the fewest bytes), the moved pieces are rebuilt, and
/// the solves that used them start again from their deterministic start.
/// </summary>
public sealed class LayerShards : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(10);
    private const int MaxAttempts = 3;

    private readonly string _jobId;
    private readonly string _dataHash;
    private readonly NeuralOdeModel _model;
    private readonly JobSettings _settings;
    private readonly ShardOptions _options;
    private readonly int[] _samples;
    private readonly IReadOnlyList<LayerSlot> _layers;
    private readonly IReadOnlyList<byte[]> _chunkHashes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<ShardPiece, Placed> _pieces = [];
    private readonly HashSet<Address> _gone = [];
    private readonly List<SolveSampleTask> _queue = [];
    private readonly SampleQueues<SolveSampleTask> _hosts = new(task => task.Sample);
    private readonly Dictionary<(int Sample, string Node), IActorRef> _copies = [];
    private readonly Dictionary<(int Sample, string Node), DateTime> _copiesAsked = [];
    private readonly Dictionary<string, Running> _running = [];
    private readonly Dictionary<string, int> _failures = [];
    private readonly DedicatedThreads _threads;
    private LayerPlacement? _placement;
    private bool _placeAgain = true;
    private int _runs;

    /// <summary>
    /// The driver of a job's shards; <paramref name="samples"/> are the samples it solves, and
    /// <paramref name="chunkHashes"/> the SHA-256 of each chunk of the job's data, which the hosts check.
    /// </summary>
    public LayerShards(string jobId, string dataHash, NeuralOdeModel model, JobSettings settings,
        IReadOnlyList<int> samples, IReadOnlyList<byte[]> chunkHashes)
    {
        _jobId = jobId;
        _dataHash = dataHash;
        _model = model;
        _settings = settings;
        _options = settings.Shards ?? new ShardOptions(1);
        _samples = samples.ToArray();
        _layers = PlacementPlanner.Layout(model).Where(l => _samples.Contains(l.Sample)).ToArray();
        _chunkHashes = chunkHashes;
        _threads = new DedicatedThreads(2 * Math.Max(1, _options.Nodes), $"shards-{jobId}");
        Receive<Solve>(solve =>
        {
            _queue.AddRange(solve.Tasks);
            TryStart();
        });
        Receive<ShardsBuilt>(Built);
        Receive<ShardSolved>(solved => Finished(solved.TaskId, solved.Run, solved.Result, solved.Failure));
        Receive<PipelineDone>(done => Finished(done.TaskId, done.Run, done.Result, done.Failure));
        Receive<Terminated>(ShardGone);
        Receive<Tick>(_ =>
        {
            // A node that left, was downed or cannot be reached: its layers go elsewhere.
            var up = WorkerNodes().Select(a => a.ToString()).ToHashSet();
            if (_placeAgain || _pieces.Values.Any(p => !up.Contains(p.Node)))
            {
                Place();
            }

            AskForShards();
            Pump();
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The props of a job's shard driver (local only: the model is not serialized).</summary>
    public static Props Props(string jobId, string dataHash, NeuralOdeModel model, JobSettings settings,
        IReadOnlyList<int> samples, IReadOnlyList<byte[]> chunkHashes) =>
        Akka.Actor.Props.Create(() => new LayerShards(jobId, dataHash, model, settings, samples, chunkHashes));

    /// <summary>
    /// The samples of a job that its shards solve: all of them when the job asks for sharding and the norm is the
    /// 2-norm (the gradient search), except those small enough to enumerate, which stay ordinary tasks.
    /// </summary>
    public static IReadOnlySet<int> Sharded(NeuralOdeModel model, JobSettings settings) =>
        settings.Shards is { Nodes: > 0 } && settings.Question.Norm == Core.Norms.LogNormKind.Two
            ? Enumerable.Range(0, model.Samples.Count)
                .Where(s => model.Samples[s].DiagonalCount > settings.Inner.EnumerationLimit).ToHashSet()
            : new HashSet<int>();

    /// <summary>
    /// The request to a host for some pieces of a job's model: where their layers are in the job's data and the
    /// hashes (<paramref name="chunkHashes"/>, all the data's) of the chunks they are in.
    /// </summary>
    public static BuildShards Request(string jobId, string dataHash, NeuralOdeModel model,
        IReadOnlyList<byte[]> chunkHashes, ShardPiece[] pieces)
    {
        var spans = ModelLayout.Spans(model);
        var layouts = pieces.Select(p => new PieceLayout(model.Samples[p.Sample].Time, spans[p.Sample].Length,
            spans[p.Sample][p.FirstLayer..(p.FirstLayer + p.LayerCount)])).ToArray();
        var chunks = layouts.SelectMany(l => l.Layers).SelectMany(l => ModelLayout.Chunks(l.Offset, l.Length))
            .Distinct().Order().Select(c => new ChunkHash(c, chunkHashes[c])).ToArray();
        return new BuildShards(jobId, dataHash, pieces, layouts, chunks);
    }

    /// <summary>Solves these samples (local only); each result goes to the parent as <see cref="Solved"/>.</summary>
    public sealed record Solve(IReadOnlyList<SolveSampleTask> Tasks);

    /// <summary>A sample's task is solved (local only).</summary>
    public sealed record Solved(string TaskId, TaskOutcome Outcome);

    /// <summary>The shards cannot do the job: no placement fits, or a sample failed on every attempt.</summary>
    public sealed record Failed(string Reason);

    /// <inheritdoc />
    protected override void PreStart()
    {
        Place();
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromSeconds(1));
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var running in _running.Values)
        {
            running.Cancel?.Cancel();
        }

        _threads.Dispose();
        if (_hosts.Taken > 0)
        {
            _log.Info("Job {JobId}: {Taken} sample solves were taken over by another node, which built {Copies} "
                + "copies of samples for them", _jobId, _hosts.Taken, _copies.Count);
        }
    }

    /// <summary>The worker nodes up now (this node alone when it has no cluster), in the cluster's order.</summary>
    private IReadOnlyList<Address> WorkerNodes()
    {
        if (((ExtendedActorSystem)Context.System).Provider is not Akka.Cluster.ClusterActorRefProvider)
        {
            return [Self.Path.Address];
        }

        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        // A node is gone until it is no longer a member; one that joins again at the address is new.
        _gone.RemoveWhere(a => state.Members.All(m => m.Address != a));
        return state.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Worker) && !_gone.Contains(m.Address)
                && !state.Unreachable.Contains(m))
            .Select(m => m.Address)
            .ToArray();
    }

    private Address SelfAddress =>
        ((ExtendedActorSystem)Context.System).Provider is Akka.Cluster.ClusterActorRefProvider
            ? Akka.Cluster.Cluster.Get(Context.System).SelfAddress
            : Self.Path.Address;

    /// <summary>
    /// Places the layers on the worker nodes: a fresh plan at first; after a node left, a re-plan that keeps the
    /// surviving nodes' layers where they are, on those nodes and on others now up (to the number asked for).
    /// </summary>
    private void Place()
    {
        var up = WorkerNodes();
        if (up.Count == 0)
        {
            _placeAgain = true;
            return;
        }

        var kept = _placement?.Blocks.Select(b => b.Node).Where(n => up.Any(a => a.ToString() == n)).ToList() ?? [];
        var nodes = kept.Concat(up.Select(a => a.ToString()).Where(n => !kept.Contains(n)))
            .Take(Math.Max(1, _options.Nodes))
            .Select(n => new NodeCapacity(n, _options.NodeMemoryBytes ?? long.MaxValue))
            .ToArray();
        try
        {
            _placement = _placement is null
                ? PlacementPlanner.Plan(_layers, nodes)
                : PlacementPlanner.Replan(_placement, nodes);
        }
        catch (PlacementException e)
        {
            Context.Parent.Tell(new Failed($"the layers cannot be placed: {e.Message}"));
            _placeAgain = false;
            return;
        }

        _placeAgain = false;
        _log.Info("Job {JobId}: layers placed on {Nodes} ({Bytes} bytes of weights in memory each)", _jobId,
            string.Join(", ", _placement.Blocks.Select(b => b.Node)),
            string.Join(", ", _placement.Blocks.Select(b => b.Bytes)));
        Apply(_placement);
    }

    /// <summary>Pieces placed elsewhere than before are built again; the solves of their samples start again.</summary>
    private void Apply(LayerPlacement placement)
    {
        var wanted = new Dictionary<ShardPiece, string>();
        foreach (var sample in _samples)
        {
            foreach (var piece in placement.PiecesOf(sample))
            {
                wanted[new ShardPiece(sample, piece.FirstLayer, piece.LayerCount, piece.SlopeOffset)] = piece.Node;
            }
        }

        var changed = new HashSet<int>();
        foreach (var (piece, placed) in _pieces.ToArray())
        {
            if (!wanted.TryGetValue(piece, out var node) || node != placed.Node)
            {
                _pieces.Remove(piece);
                changed.Add(piece.Sample);
            }
        }

        foreach (var (piece, node) in wanted.Where(w => !_pieces.ContainsKey(w.Key)))
        {
            _pieces[piece] = new Placed(node);
            changed.Add(piece.Sample);
        }

        // Solves still waiting go to the queues of the nodes that hold their samples now; a node no longer placed on
        // loses its copies.
        var nodes = wanted.Values.ToHashSet();
        _queue.AddRange(_hosts.Drain());
        foreach (var gone in _hosts.Hosts.Where(n => !nodes.Contains(n)).ToArray())
        {
            _queue.AddRange(_hosts.Forget(gone));
            foreach (var key in _copies.Keys.Where(k => k.Node == gone).ToArray())
            {
                _copies.Remove(key);
                _copiesAsked.Remove(key);
            }
        }

        Restart(r => changed.Contains(r.Task.Sample) || (r.Host is { } host && !nodes.Contains(host)));
        AskForShards();
    }

    /// <summary>Asks each node's host for its pieces that have no shard yet (again, if an answer is late).</summary>
    private void AskForShards()
    {
        var now = DateTime.UtcNow;
        var due = _pieces.Where(p => p.Value.Shard is null && now - p.Value.Asked >= AskAgainAfter).ToArray();
        foreach (var group in due.GroupBy(p => p.Value.Node))
        {
            var host = Context.ActorSelection(new RootActorPath(Address.Parse(group.Key)) / "user" / ShardHost.Name);
            host.Tell(Request(_jobId, _dataHash, _model, _chunkHashes, group.Select(p => p.Key).ToArray()));
            foreach (var (_, placed) in group)
            {
                placed.Asked = now;
            }
        }
    }

    private void Built(ShardsBuilt built)
    {
        var node = (Sender.Path.Address.HasLocalScope ? SelfAddress : Sender.Path.Address).ToString();
        _hosts.SetSlots(node, built.Slots);
        for (var i = 0; i < built.Pieces.Length; i++)
        {
            var piece = built.Pieces[i];
            if (!_pieces.TryGetValue(piece, out var placed))
            {
                continue;
            }

            if (placed.Node == node)
            {
                if (placed.Shard is null)
                {
                    placed.Shard = built.Shards[i];
                    Context.Watch(placed.Shard);
                }
            }
            else if (_copiesAsked.ContainsKey((piece.Sample, node)) && !_copies.ContainsKey((piece.Sample, node)))
            {
                // A copy of a whole sample that this node took from another's queue.
                _copies[(piece.Sample, node)] = built.Shards[i];
                Context.Watch(built.Shards[i]);
                _hosts.Hold(node, piece.Sample);
            }
        }

        TryStart();
    }

    private void TryStart()
    {
        if (_pieces.Count == 0 || _pieces.Values.Any(p => p.Shard is null))
        {
            return;
        }

        var queued = _queue.ToArray();
        _queue.Clear();
        foreach (var task in queued)
        {
            if (Whole(task.Sample) is { } whole)
            {
                _hosts.Enqueue(whole.Node, task);
            }
            else
            {
                Start(task);
            }
        }

        Pump();
    }

    /// <summary>Where a sample held whole (one piece) is placed; null when its layers are split.</summary>
    private Placed? Whole(int sample)
    {
        var pieces = _pieces.Where(p => p.Key.Sample == sample).Take(2).ToArray();
        return pieces.Length == 1 ? pieces[0].Value : null;
    }

    /// <summary>
    /// Sends the whole-sample solves the queues release, and asks for the copies the nodes that took samples need;
    /// a solve whose copy has not come within <see cref="AskAgainAfter"/> goes back to the front of its own queue.
    /// </summary>
    private void Pump()
    {
        if (_pieces.Count == 0 || _pieces.Values.Any(p => p.Shard is null))
        {
            return;
        }

        var now = DateTime.UtcNow;
        foreach (var task in _hosts.TakenLongerThan(AskAgainAfter, now))
        {
            if (Whole(task.Sample) is { } owner)
            {
                _hosts.EnqueueFirst(owner.Node, task);
            }
            else
            {
                _queue.Add(task);
            }
        }

        var (send, copy) = _hosts.Next(now);
        foreach (var (node, task) in send)
        {
            var shard = Whole(task.Sample) is { } whole && whole.Node == node
                ? whole.Shard!
                : _copies[(task.Sample, node)];
            var run = ++_runs;
            shard.Tell(new SolveOnShard(_jobId, task.TaskId, run, task.Lower, task.Upper, task.Warm));
            _running[task.TaskId] = new Running(task, run, null, [shard], node);
        }

        foreach (var (node, task) in copy)
        {
            if (_copiesAsked.TryGetValue((task.Sample, node), out var asked) && now - asked < AskAgainAfter)
            {
                continue;
            }

            _copiesAsked[(task.Sample, node)] = now;
            var piece = _pieces.First(p => p.Key.Sample == task.Sample).Key;
            Context.ActorSelection(new RootActorPath(Address.Parse(node)) / "user" / ShardHost.Name)
                .Tell(Request(_jobId, _dataHash, _model, _chunkHashes, [piece]));
        }

        if (_queue.Count > 0)
        {
            TryStart();
        }
    }

    private void Start(SolveSampleTask task)
    {
        // Limitation: each block call is a round trip of its own, calls that return nothing included, and the vectors
        // go through Hyperion element by element; batching those calls with the next query and raw-byte vectors
        // would cut the hops of a split sample's solve by about a third.
        var run = ++_runs;
        var pieces = _pieces.Where(p => p.Key.Sample == task.Sample).OrderBy(p => p.Key.FirstLayer).ToArray();
        var cancel = new CancellationTokenSource();
        var shards = pieces.Select(p => p.Value.Shard!).ToArray();
        var blocks = pieces.Select(p => (ILayerBlock)new RemoteLayerBlock(p.Value.Shard!, Shape(p.Key), run,
            CallTimeout, cancel.Token)).ToArray();
        // As many climbs at once as there are shards, so that each shard has a product to compute while the others
        // have theirs; the result does not depend on it.
        var inner = _settings.Inner with { MaxDegreeOfParallelism = pieces.Length };
        var step = _settings.Question.DiscreteStep;
        Task.Factory.StartNew(
                () => InnerSolver.Solve(new BlockPipeline(blocks), task.Sample, task.Lower, task.Upper, step, inner,
                    task.Warm),
                cancel.Token, TaskCreationOptions.None, _threads)
            .ContinueWith(t => new PipelineDone(task.TaskId, run, t.IsCompletedSuccessfully ? t.Result : null,
                t.Exception?.GetBaseException() is { } e ? $"{e.GetType().Name}: {e.Message}" : "cancelled"),
                TaskScheduler.Default)
            .PipeTo(Self);
        _running[task.TaskId] = new Running(task, run, cancel, shards, null);
    }

    private BlockShape Shape(ShardPiece piece)
    {
        var layers = _model.Samples[piece.Sample].Layers.Skip(piece.FirstLayer).Take(piece.LayerCount).ToArray();
        return new BlockShape(piece.FirstLayer, piece.LayerCount, layers[0].Cols, layers[^1].Rows, piece.SlopeOffset,
            layers.Sum(l => l.Rows), layers.Sum(l => Matrix.StorageBytes(l.Rows, l.Cols)));
    }

    private void Finished(string taskId, int run, InnerResult? result, string? failure)
    {
        if (!_running.TryGetValue(taskId, out var running) || running.Run != run)
        {
            return;
        }

        _running.Remove(taskId);
        if (running.Host is { } host)
        {
            _hosts.Finished(host);
        }

        if (result is not null)
        {
            Context.Parent.Tell(new Solved(taskId, new SampleSolved(result)));
            Pump();
            return;
        }

        var failures = _failures[taskId] = _failures.GetValueOrDefault(taskId) + 1;
        _log.Warning("Job {JobId}: sharded task {TaskId} failed on attempt {Attempt}: {Failure}", _jobId, taskId,
            failures, failure);
        if (failures >= MaxAttempts)
        {
            Context.Parent.Tell(new Failed($"task {taskId} failed: {failure}"));
            return;
        }

        _queue.Add(running.Task);
        TryStart();
    }

    /// <summary>A shard stopped: if its node is gone the layers are placed again, else it is built again.</summary>
    private void ShardGone(Terminated terminated)
    {
        var copies = _copies.Where(c => Equals(c.Value, terminated.ActorRef)).Select(c => c.Key).ToArray();
        foreach (var copy in copies)
        {
            _copies.Remove(copy);
            _copiesAsked.Remove(copy);
            _hosts.Drop(copy.Node, copy.Sample);
        }

        if (copies.Length > 0)
        {
            Restart(r => r.Shards.Contains(terminated.ActorRef));
        }

        var lost = _pieces.Where(p => Equals(p.Value.Shard, terminated.ActorRef)).ToArray();
        if (lost.Length == 0)
        {
            return;
        }

        foreach (var (_, placed) in lost)
        {
            placed.Shard = null;
            placed.Asked = DateTime.MinValue;
        }

        Restart(r => r.Shards.Contains(terminated.ActorRef));
        var address = terminated.ActorRef.Path.Address;
        if (terminated.AddressTerminated || WorkerNodes().All(a => a != address))
        {
            _log.Info("Job {JobId}: the node {Node} holding {Pieces} shard pieces is gone; the layers are placed "
                + "again", _jobId, address, lost.Length);
            _gone.Add(address);
            Place();
            return;
        }

        AskForShards();
    }

    /// <summary>The running solves that match go back to the queue (their late answers are ignored).</summary>
    private void Restart(Func<Running, bool> which)
    {
        foreach (var (taskId, running) in _running.Where(r => which(r.Value)).ToArray())
        {
            running.Cancel?.Cancel();
            _running.Remove(taskId);
            if (running.Host is { } host)
            {
                _hosts.Finished(host);
            }

            _queue.Add(running.Task);
            _log.Info("Job {JobId}: task {TaskId} starts again on the new placement", _jobId, taskId);
        }

        TryStart();
    }

    private sealed class Placed(string node)
    {
        public string Node { get; } = node;

        public IActorRef? Shard { get; set; }

        public DateTime Asked { get; set; } = DateTime.MinValue;
    }

    /// <summary>A solve on its way: a whole sample sent to <paramref name="Host"/>, or a pipeline (no host).</summary>
    private sealed record Running(
        SolveSampleTask Task, int Run, CancellationTokenSource? Cancel, IActorRef[] Shards, string? Host);

    private sealed record PipelineDone(string TaskId, int Run, InnerResult? Result, string? Failure);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
