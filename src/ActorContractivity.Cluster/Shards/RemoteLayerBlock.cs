using Akka.Actor;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Blocks;

namespace ActorContractivity.Cluster.Shards;

/// <summary>
/// An <see cref="ILayerBlock"/> held by a <see cref="LayerShard"/> on some node: each call is one message to the
/// shard and a wait for its answer (a failure on the shard is thrown here). The wait ends early, with
/// <see cref="OperationCanceledException"/>, when <paramref name="cancel"/> fires: the driver cancels the solve when
/// a shard it uses is gone, since its answers would never come.
/// </summary>
/// <param name="shard">The shard.</param>
/// <param name="shape">The block's shape (the driver knows it from the model).</param>
/// <param name="timeout">The longest wait for one answer.</param>
/// <param name="cancel">Cancels every wait.</param>
public sealed class RemoteLayerBlock(IActorRef shard, BlockShape shape, TimeSpan timeout, CancellationToken cancel)
    : ILayerBlock
{
    /// <inheritdoc />
    public BlockShape Shape => shape;

    /// <inheritdoc />
    public void Open(int climb, double lower, double upper, ReadOnlySpan<double> slopes, ReadOnlySpan<double> gradient) =>
        Call<BlockAnswer>(new BlockOpen(climb, lower, upper, slopes.ToArray(), gradient.ToArray()));

    /// <inheritdoc />
    public void Close(int climb) => Call<BlockAnswer>(new BlockClose(climb));

    /// <inheritdoc />
    public void Forward(int climb, ReadOnlySpan<double> x, Span<double> result) =>
        Call<BlockVector>(new BlockForward(climb, x.ToArray())).Values.CopyTo(result);

    /// <inheritdoc />
    public void Backward(int climb, ReadOnlySpan<double> y, Span<double> result) =>
        Call<BlockVector>(new BlockBackward(climb, y.ToArray())).Values.CopyTo(result);

    /// <inheritdoc />
    public void KeepGradient(int climb, double? scale) => Call<BlockAnswer>(new BlockKeepGradient(climb, scale));

    /// <inheritdoc />
    public void Accept(int climb) => Call<BlockAnswer>(new BlockAccept(climb));

    /// <inheritdoc />
    public bool ProposeStep(int climb, double step) => Call<BlockAnswer>(new BlockProposeStep(climb, step)).Flag;

    /// <inheritdoc />
    public void ProposeVertex(int climb) => Call<BlockAnswer>(new BlockProposeVertex(climb));

    /// <inheritdoc />
    public void ProposeFlip(int climb, int slope) => Call<BlockAnswer>(new BlockProposeFlip(climb, slope));

    /// <inheritdoc />
    public bool IsVertex(int climb) => Call<BlockAnswer>(new BlockIsVertex(climb)).Flag;

    /// <inheritdoc />
    public int CountGradient(int climb, double atMost) =>
        Call<BlockAnswer>(new BlockCountGradient(climb, atMost)).Count;

    /// <inheritdoc />
    public FlipCandidate[] FlipCandidates(int climb, int limit, double value, ReadOnlySpan<double> vector) =>
        Call<BlockCandidates>(new BlockFlipCandidates(climb, limit, value, vector.ToArray())).Candidates;

    /// <inheritdoc />
    public void Read(int climb, Span<double> slopes, Span<double> gradient)
    {
        var slices = Call<BlockSlices>(new BlockRead(climb));
        slices.Slopes.CopyTo(slopes);
        slices.Gradient.CopyTo(gradient);
    }

    private T Call<T>(BlockCall call) => shard.Ask<T>(call, timeout, cancel).GetAwaiter().GetResult();
}
