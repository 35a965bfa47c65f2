using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// The layer reader copies exactly the layers asked for out of the model's bytes, whatever the parts they come in,
/// also when the parts that hold none of them are left out.
/// </summary>
public sealed class LayerReaderSpecs
{
    private static readonly NeuralOdeModel Model = new(
    [
        new Sample(0.25, SyntheticModels.Deep(3, 5, seed: 1).ToArray()),
        TestModels.TwoLayer(new Random(2), 5, 4),
    ]);

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(7, true)]
    [InlineData(1 << 20, false)]
    public void The_reader_keeps_the_layers_asked_for_with_the_codecs_values(int part, bool onlyTheirs)
    {
        var bytes = ModelCodec.Encode(Model);
        var spans = ModelLayout.Spans(Model);
        var reader = new LayerReader([((0, 2), spans[0][2]), ((1, 0), spans[1][0])]);

        var wanted = new[] { spans[0][2], spans[1][0] };
        var last = wanted.Max(s => s.Offset + s.Length);
        for (var at = 0; at < bytes.Length; at += part)
        {
            var length = Math.Min(part, bytes.Length - at);
            if (onlyTheirs && !wanted.Any(s => s.Offset < at + length && at < s.Offset + s.Length))
            {
                continue;
            }

            reader.Add(at, bytes.AsSpan(at, length));
            Assert.Equal(at + length >= last, reader.Complete);
        }

        Assert.True(reader.Complete);
        Assert.Equal([(0, 2), (1, 0)], reader.Layers.Keys.Order());
        Assert.Equal(Model.Samples[0].Layers[2].RowMajorValues.ToArray(),
            reader.Layers[(0, 2)].RowMajorValues.ToArray());
        Assert.Equal((4, 5), (reader.Layers[(1, 0)].Rows, reader.Layers[(1, 0)].Cols));
        Assert.Equal(Model.Samples[1].Layers[0].RowMajorValues.ToArray(),
            reader.Layers[(1, 0)].RowMajorValues.ToArray());
    }

    [Fact]
    public void Bytes_that_skip_some_of_a_layers_values_are_refused()
    {
        var bytes = ModelCodec.Encode(Model);
        var span = ModelLayout.Spans(Model)[0][1];
        var reader = new LayerReader([((0, 1), span)]);

        reader.Add(0, bytes.AsSpan(0, (int)span.Offset + 16));
        var skipped = (int)span.Offset + 24;
        Assert.Throws<ArgumentException>(() => reader.Add(skipped, bytes.AsSpan(skipped)));
        Assert.False(reader.Complete);
    }

    [Fact]
    public void Layers_whose_values_overlap_are_refused()
    {
        var span = ModelLayout.Spans(Model)[0][1];
        Assert.Throws<ArgumentException>(() =>
            new LayerReader([((0, 1), span), ((0, 2), span with { Offset = span.Offset + 8 })]));
    }
}
