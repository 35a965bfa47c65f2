using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>Where the layers are in a model's bytes, which chunks a range is in, and the chunks' hashes.</summary>
public sealed class ModelLayoutSpecs
{
    private const int Chunk = JobDataStorage.ChunkBytes;

    [Fact]
    public void Each_span_is_where_the_codec_writes_the_layers_shape_and_values()
    {
        var model = new NeuralOdeModel(
        [
            new Sample(0.25, SyntheticModels.Deep(3, 5, seed: 1).ToArray()),
            TestModels.TwoLayer(new Random(2), 5, 4),
        ]);
        var bytes = ModelCodec.Encode(model);
        var spans = ModelLayout.Spans(model);

        Assert.Equal([3, 2], spans.Select(s => s.Length));
        // The model's header, the sample's, the layer's.
        Assert.Equal(new LayerSpan(8 + 12 + 8, 5, 5), spans[0][0]);
        Assert.Equal(28 + 200 + 8, spans[0][1].Offset);
        for (var s = 0; s < spans.Length; s++)
        {
            for (var j = 0; j < spans[s].Length; j++)
            {
                var (span, layer) = (spans[s][j], model.Samples[s].Layers[j]);
                var at = (int)span.Offset;
                Assert.Equal((layer.Rows, layer.Cols), (span.Rows, span.Cols));
                Assert.Equal(layer.Rows, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at - 8)));
                Assert.Equal(layer.Cols, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at - 4)));
                Assert.Equal(MemoryMarshal.AsBytes(layer.RowMajorValues).ToArray(),
                    bytes.AsSpan(at, (int)span.Length).ToArray());
            }
        }

        Assert.Equal(bytes.Length, spans[1][1].Offset + spans[1][1].Length);
    }

    [Fact]
    public void A_range_is_in_the_chunks_from_that_of_its_first_byte_to_that_of_its_last()
    {
        Assert.Equal([0], ModelLayout.Chunks(0, Chunk));
        Assert.Equal([0], ModelLayout.Chunks(Chunk - 8, 8));
        Assert.Equal([0, 1], ModelLayout.Chunks(Chunk - 8, 9));
        Assert.Equal([1], ModelLayout.Chunks(Chunk, 1));
        Assert.Equal([1, 2], ModelLayout.Chunks(Chunk, Chunk + 1));
        Assert.Equal([2, 3, 4, 5], ModelLayout.Chunks(3L * Chunk - 1, 2L * Chunk + 2));
        Assert.Empty(ModelLayout.Chunks(Chunk, 0));
    }

    [Fact]
    public void A_layer_larger_than_a_chunk_spans_several_and_each_chunk_has_its_hash()
    {
        // A 600 × 600 layer (2.88 MB), then a 4 × 600 and a 600 × 4 one.
        var layers = new[]
        {
            TestModels.Stable(new Random(3), 600), Matrix.FromRowMajor(4, 600, new double[2400]),
            Matrix.FromRowMajor(600, 4, new double[2400]),
        };
        var model = new NeuralOdeModel([new Sample(0, layers)]);
        var bytes = ModelCodec.Encode(model);
        var spans = ModelLayout.Spans(model)[0];

        Assert.Equal(2_880_000, spans[0].Length);
        Assert.Equal([0, 1, 2], ModelLayout.Chunks(spans[0].Offset, spans[0].Length));
        Assert.Equal([2], ModelLayout.Chunks(spans[1].Offset, spans[1].Length));
        Assert.Equal([2], ModelLayout.Chunks(spans[2].Offset, spans[2].Length));
        var hashes = JobDataStorage.ChunkHashes(bytes);
        Assert.Equal(3, hashes.Length);
        Assert.Equal(SHA256.HashData(bytes.AsSpan(Chunk, Chunk)), hashes[1]);
        Assert.Equal(SHA256.HashData(bytes.AsSpan(2 * Chunk)), hashes[2]);
    }
}
