using System.Security.Cryptography;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>The layer reader keeps exactly the layers asked for, whatever the chunks, and hashes every byte.</summary>
public sealed class LayerReaderSpecs
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public void The_reader_keeps_the_layers_asked_for_with_the_codecs_values_and_the_hash_of_all_bytes(int chunk)
    {
        var model = new NeuralOdeModel(
        [
            new Sample(0.25, SyntheticModels.Deep(3, 5, seed: 1).ToArray()),
            TestModels.TwoLayer(new Random(2), 5, 4),
        ]);
        var bytes = ModelCodec.Encode(model);
        var reader = new LayerReader((sample, layer) => (sample, layer) is (0, 2) or (1, 0));

        foreach (var part in bytes.Chunk(chunk))
        {
            Assert.False(reader.Complete);
            reader.Add(part);
        }

        Assert.True(reader.Complete);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)), reader.Hash());
        Assert.Equal([(0, 2), (1, 0)], reader.Layers.Keys.Order());
        Assert.Equal(model.Samples[0].Layers[2].RowMajorValues.ToArray(),
            reader.Layers[(0, 2)].RowMajorValues.ToArray());
        Assert.Equal((4, 5), (reader.Layers[(1, 0)].Rows, reader.Layers[(1, 0)].Cols));
        Assert.Equal(model.Samples[1].Layers[0].RowMajorValues.ToArray(),
            reader.Layers[(1, 0)].RowMajorValues.ToArray());
        Assert.Equal([3, 2], reader.LayerCounts);
        Assert.Equal([0.25, 0.0], reader.Times);
    }

    [Fact]
    public void Bytes_past_the_end_of_the_model_are_refused()
    {
        var bytes = ModelCodec.Encode(TestModels.TimeSampled(1, 3, seed: 1));
        var reader = new LayerReader((_, _) => true);

        Assert.Equal("model bytes have trailing data",
            Assert.Throws<FormatException>(() => reader.Add([.. bytes, 0])).Message);
    }
}
