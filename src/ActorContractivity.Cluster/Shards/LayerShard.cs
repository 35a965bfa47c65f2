using Akka.Actor;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// One shard: a <see cref="LayerBlock"/> of a job's sample on this node, driven by <see cref="BlockCall"/> messages
/// (each answered, or answered with a failure when the block throws). A shard that holds all of its sample's layers
/// also solves the sample itself (<see cref="SolveOnShard"/>), so that independent samples run where their weights
/// are. It runs on the compute dispatcher: a product streams its weights, which is CPU work.
/// </summary>
public sealed class LayerShard : ReceiveActor
{
    private readonly LayerBlock _block;
    private readonly Dictionary<long, int> _climbs = [];
    private int _nextClimb;

    /// <summary>
    /// A shard of sample <paramref name="sampleIndex"/>; <paramref name="whole"/> is the sample when the block holds
    /// all its layers, else null.
    /// </summary>
    public LayerShard(LayerBlock block, Sample? whole, int sampleIndex, JobSettings settings, int threads)
    {
        _block = block;
        Receive<BlockOpen>(m =>
            Answer(() => _block.Open(Open(m.Climb), m.Lower, m.Upper, m.Slopes, m.Gradient)));
        Receive<BlockClose>(m => Answer(() => _block.Close(Close(m.Climb))));
        Receive<BlockForward>(m =>
            Reply(() => Pass(_block.Shape.OutputWidth, r => _block.Forward(Local(m.Climb), m.X, r))));
        Receive<BlockBackward>(m =>
            Reply(() => Pass(_block.Shape.InputWidth, r => _block.Backward(Local(m.Climb), m.Y, r))));
        Receive<BlockKeepGradient>(m => Answer(() => _block.KeepGradient(Local(m.Climb), m.Scale)));
        Receive<BlockAccept>(m => Answer(() => _block.Accept(Local(m.Climb))));
        Receive<BlockProposeStep>(m => Reply(() => new BlockAnswer(_block.ProposeStep(Local(m.Climb), m.Step), 0)));
        Receive<BlockProposeVertex>(m => Answer(() => _block.ProposeVertex(Local(m.Climb))));
        Receive<BlockProposeFlip>(m => Answer(() => _block.ProposeFlip(Local(m.Climb), m.Slope)));
        Receive<BlockIsVertex>(m => Reply(() => new BlockAnswer(_block.IsVertex(Local(m.Climb)), 0)));
        Receive<BlockCountGradient>(m =>
            Reply(() => new BlockAnswer(true, _block.CountGradient(Local(m.Climb), m.AtMost))));
        Receive<BlockFlipCandidates>(m =>
            Reply(() => new BlockCandidates(_block.FlipCandidates(Local(m.Climb), m.Limit, m.Value, m.Vector))));
        Receive<BlockRead>(m => Reply(() =>
        {
            var (slopes, gradient) = (new double[_block.Shape.SlopeCount], new double[_block.Shape.SlopeCount]);
            _block.Read(Local(m.Climb), slopes, gradient);
            return new BlockSlices(slopes, gradient);
        }));
        Receive<SolveOnShard>(m =>
        {
            try
            {
                if (whole is null)
                {
                    throw new InvalidOperationException($"the shard holds only part of sample {sampleIndex}");
                }

                var inner = settings.Inner with { MaxDegreeOfParallelism = threads };
                var result = InnerSolver.Solve(whole, sampleIndex, m.Lower, m.Upper, settings.Question.DiscreteStep,
                    inner, m.Warm);
                Sender.Tell(new ShardSolved(m.JobId, m.TaskId, m.Run, result, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Sender.Tell(new ShardSolved(m.JobId, m.TaskId, m.Run, null,
                    $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
            }
        });
    }

    /// <summary>The props of a shard, on the compute dispatcher.</summary>
    public static Props Props(LayerBlock block, Sample? whole, int sampleIndex, JobSettings settings, int threads) =>
        Akka.Actor.Props.Create(() => new LayerShard(block, whole, sampleIndex, settings, threads))
            .WithDispatcher(Workers.Worker.ComputeDispatcher);

    private int Open(long climb)
    {
        if (!_climbs.TryAdd(climb, ++_nextClimb))
        {
            throw new InvalidOperationException($"climb {climb} is already open on this shard");
        }

        return _nextClimb;
    }

    private int Local(long climb) =>
        _climbs.TryGetValue(climb, out var local) ? local : throw new InvalidOperationException(
            $"climb {climb} is not open on this shard");

    private int Close(long climb)
    {
        var local = Local(climb);
        _climbs.Remove(climb);
        return local;
    }

    private static BlockVector Pass(int width, Action<double[]> pass)
    {
        var result = new double[width];
        pass(result);
        return new BlockVector(result);
    }

    private void Answer(Action call) => Reply(() =>
    {
        call();
        return BlockAnswer.Done;
    });

    private void Reply(Func<object> call)
    {
        try
        {
            Sender.Tell(call());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The block's own exception types need not cross the wire; its message does.
            Sender.Tell(new Status.Failure(
                new InvalidOperationException($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}")));
        }
    }
}
