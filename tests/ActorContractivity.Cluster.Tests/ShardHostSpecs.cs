using Akka.Actor;
using Akka.TestKit.Xunit2;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// A node's shard host with a probe as the store it fetches from: it fetches only the chunks its pieces' layers are
/// in, checks each against its hash, and builds shards that hold the model's layers.
/// </summary>
public sealed class ShardHostSpecs()
    : TestKit(HostedActorSystem.Start(akka => akka.WithContractivitySerialization().WithComputeDispatcher(1)))
{
    private static readonly JobSettings Job = LayerShardSpecs.Job(shards: 2);

    // One sample of six 300 × 300 layers (720 kB each): 4.3 MB, five chunks. Layers 3 and 4 are in chunks 2 and 3.
    private static readonly NeuralOdeModel Model =
        new([new Sample(0, SyntheticModels.Deep(6, 300, seed: 5).ToArray())]);
    private static readonly JobData Data = ModelCodec.ToJobData(Model);
    private static readonly ShardPiece Piece = new(0, 3, 2, 900);

    [Fact]
    public void A_host_fetches_only_the_chunks_of_its_layers_and_builds_a_shard_that_holds_them()
    {
        Assert.Equal(5, JobDataStorage.ChunkCount(Data.Model.Length));
        var source = CreateTestProbe();
        var host = Sys.ActorOf(ShardHost.Props(source.Ref, 1));

        host.Tell(Request());
        Assert.Equal([2, 3], new[] { source.ExpectMsg<FetchJobData>(), source.ExpectMsg<FetchJobData>() }
            .Select(f => f.Chunk));
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        host.Tell(Chunk(2));
        host.Tell(Chunk(3));

        var built = ExpectMsg<ShardsBuilt>();
        Assert.Equal([Piece], built.Pieces);
        var state = State(host);
        Assert.Equal((1, 1, 2 * Matrix.StorageBytes(300, 300)), (state.Shards, state.Built, state.WeightBytes));

        // The shard's products are those of the model's layers 3 and 4, bit for bit.
        var local = new LayerBlock(Model.Samples[0].Layers.Skip(3).Take(2).ToArray(), 3, 900);
        var remote = new RemoteLayerBlock(built.Shards[0], local.Shape, 1, TimeSpan.FromSeconds(30), default);
        var random = new Random(7);
        var slopes = Enumerable.Range(0, 600).Select(_ => 0.5 + 0.5 * random.NextDouble()).ToArray();
        var x = Enumerable.Range(0, 300).Select(_ => random.NextDouble() - 0.5).ToArray();
        var (mine, theirs) = (new double[300], new double[300]);
        foreach (var block in new ILayerBlock[] { local, remote })
        {
            block.Open(0, 0.5, 1, slopes, new double[600]);
        }

        local.Forward(0, x, mine);
        remote.Forward(0, x, theirs);
        Assert.Equal(mine, theirs);
        local.Backward(0, x, mine);
        remote.Backward(0, x, theirs);
        Assert.Equal(mine, theirs);
    }

    [Fact]
    public void A_chunk_that_does_not_match_its_hash_is_dropped_and_no_shard_is_built()
    {
        var source = CreateTestProbe();
        var host = Sys.ActorOf(ShardHost.Props(source.Ref, 1));

        host.Tell(Request());
        source.ExpectMsg<FetchJobData>();
        source.ExpectMsg<FetchJobData>();
        var forged = Chunk(2);
        forged.Bytes[^1] ^= 1;
        host.Tell(forged);
        host.Tell(Chunk(3));

        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        var state = State(host);
        Assert.Equal((0, 0), (state.Shards, state.Built));

        // The driver asks again and this time the chunks are right.
        host.Tell(Request());
        Assert.Equal(2, source.ExpectMsg<FetchJobData>().Chunk);
        host.Tell(Chunk(2));
        host.Tell(Chunk(3));
        Assert.Equal([Piece], ExpectMsg<ShardsBuilt>().Pieces);
    }

    private static ShardHost.State State(IActorRef host) =>
        host.Ask<ShardHost.State>(ShardHost.GetState.Instance, TimeSpan.FromSeconds(10)).Result;

    private static BuildShards Request() =>
        LayerShards.Request("job", Data.Hash, Model, JobDataStorage.ChunkHashes(Data.Model), [Piece]);

    private static JobDataChunk Chunk(int index) =>
        new("job", Data.Hash, index, JobDataStorage.ChunkCount(Data.Model.Length),
            JobDataStorage.Slice(Data.Model, index).ToArray(), Job);
}
