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
/// <param name="attempt">The driver's attempt, which makes the climbs' ids on the shard unique.</param>
/// <param name="timeout">The longest wait for one answer.</param>
/// <param name="cancel">Cancels every wait.</param>
public sealed class RemoteLayerBlock(
    IActorRef shard, BlockShape shape, int attempt, TimeSpan timeout, CancellationToken cancel) : ILayerBlock
{
    /// <inheritdoc />
    public BlockShape Shape => shape;

    /// <inheritdoc />
    public void Open(
        int climb, double lower, double upper, ReadOnlySpan<double> slopes, ReadOnlySpan<double> gradient) =>
        Call<BlockAnswer>(new BlockOpen(Id(climb), lower, upper, slopes.ToArray(), gradient.ToArray()));

    /// <inheritdoc />
    public void Close(int climb) => Call<BlockAnswer>(new BlockClose(Id(climb)));

    /// <inheritdoc />
    public void Forward(int climb, ReadOnlySpan<double> x, Span<double> result) =>
        Call<BlockVector>(new BlockForward(Id(climb), x.ToArray())).Values.CopyTo(result);

    /// <inheritdoc />
    public void Backward(int climb, ReadOnlySpan<double> y, Span<double> result) =>
        Call<BlockVector>(new BlockBackward(Id(climb), y.ToArray())).Values.CopyTo(result);

    /// <inheritdoc />
    public void KeepGradient(int climb, double? scale) => Call<BlockAnswer>(new BlockKeepGradient(Id(climb), scale));

    /// <inheritdoc />
    public void Accept(int climb) => Call<BlockAnswer>(new BlockAccept(Id(climb)));

    /// <inheritdoc />
    public bool ProposeStep(int climb, double step) => Call<BlockAnswer>(new BlockProposeStep(Id(climb), step)).Flag;

    /// <inheritdoc />
    public void ProposeVertex(int climb) => Call<BlockAnswer>(new BlockProposeVertex(Id(climb)));

    /// <inheritdoc />
    public void ProposeFlip(int climb, int slope) => Call<BlockAnswer>(new BlockProposeFlip(Id(climb), slope));

    /// <inheritdoc />
    public bool IsVertex(int climb) => Call<BlockAnswer>(new BlockIsVertex(Id(climb))).Flag;

    /// <inheritdoc />
    public int CountGradient(int climb, double atMost) =>
        Call<BlockAnswer>(new BlockCountGradient(Id(climb), atMost)).Count;

    /// <inheritdoc />
    public FlipCandidate[] FlipCandidates(int climb, int limit, double value, ReadOnlySpan<double> vector) =>
        Call<BlockCandidates>(new BlockFlipCandidates(Id(climb), limit, value, vector.ToArray())).Candidates;

    /// <inheritdoc />
    public void Read(int climb, Span<double> slopes, Span<double> gradient)
    {
        var slices = Call<BlockSlices>(new BlockRead(Id(climb)));
        slices.Slopes.CopyTo(slopes);
        slices.Gradient.CopyTo(gradient);
    }

    private long Id(int climb) => ((long)attempt << 32) | (uint)climb;

    private T Call<T>(BlockCall call) => shard.Ask<T>(call, timeout, cancel).GetAwaiter().GetResult();
}
