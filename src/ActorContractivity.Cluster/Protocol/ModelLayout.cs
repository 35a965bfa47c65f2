using ActorContractivity.Cluster.Data;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Protocol;

/// <summary>
/// Where the values of each layer are in a model's bytes (<see cref="ModelCodec"/>'s layout), which follows from the
/// layers' shapes alone, and which chunks of <see cref="JobDataStorage.ChunkBytes"/> a range of the bytes is in.
/// </summary>
public static class ModelLayout
{
    /// <summary>The bytes before the first sample: the version and the number of samples.</summary>
    private const int ModelHeaderBytes = 8;

    /// <summary>The bytes before a sample's first layer: its time and its number of layers.</summary>
    private const int SampleHeaderBytes = 12;

    /// <summary>The bytes before a layer's values: its rows and columns.</summary>
    private const int LayerHeaderBytes = 8;

    /// <summary>Each layer's values in the model's bytes, by sample and index of the layer in the sample.</summary>
    public static LayerSpan[][] Spans(NeuralOdeModel model)
    {
        var at = (long)ModelHeaderBytes;
        var spans = new LayerSpan[model.Samples.Count][];
        for (var s = 0; s < spans.Length; s++)
        {
            var layers = model.Samples[s].Layers;
            at += SampleHeaderBytes;
            spans[s] = new LayerSpan[layers.Count];
            for (var j = 0; j < layers.Count; j++)
            {
                at += LayerHeaderBytes;
                spans[s][j] = new LayerSpan(at, layers[j].Rows, layers[j].Cols);
                at += spans[s][j].Length;
            }
        }

        return spans;
    }

    /// <summary>
    /// The indices of the chunks that hold some of the <paramref name="length"/> bytes from <paramref name="offset"/>
    /// on, in ascending order (none for no bytes).
    /// </summary>
    public static IEnumerable<int> Chunks(long offset, long length) => length <= 0
        ? []
        : Enumerable.Range((int)(offset / JobDataStorage.ChunkBytes),
            (int)((offset + length - 1) / JobDataStorage.ChunkBytes - offset / JobDataStorage.ChunkBytes) + 1);
}
