using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Blocks;

/// <summary>
/// A sample's layers A_1 … A_k split into consecutive blocks (DESIGN §2.2): the product with J is the pipeline
/// block 1 → block 2 → … → block B, the product with Jᵀ the reverse one, and only vectors of layer width
/// travel between blocks. The blocks may be local (<see cref="LayerBlock"/>) or stand for blocks held elsewhere.
/// </summary>
public sealed class BlockPipeline
{
    private int _nextClimb;

    /// <summary>Checks that the blocks tile the sample's layers and slopes in order and that J is square.</summary>
    /// <exception cref="ArgumentException">The blocks do not compose.</exception>
    public BlockPipeline(IReadOnlyList<ILayerBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            throw new ArgumentException("a pipeline needs at least one block");
        }

        var (layer, slope) = (0, 0);
        for (var b = 0; b < blocks.Count; b++)
        {
            var shape = blocks[b].Shape;
            if (shape.FirstLayer != layer || shape.SlopeOffset != slope)
            {
                throw new ArgumentException($"block {b} starts at layer {shape.FirstLayer} and slope "
                    + $"{shape.SlopeOffset}; the blocks before it end at layer {layer} and slope {slope}");
            }

            if (b > 0 && shape.InputWidth != blocks[b - 1].Shape.OutputWidth)
            {
                throw new ArgumentException($"block {b} takes {shape.InputWidth} inputs but block {b - 1} has "
                    + $"{blocks[b - 1].Shape.OutputWidth} outputs");
            }

            (layer, slope) = (layer + shape.LayerCount, slope + shape.SlopeCount);
        }

        if (blocks[^1].Shape.OutputWidth != blocks[0].Shape.InputWidth)
        {
            throw new ArgumentException($"the last block has {blocks[^1].Shape.OutputWidth} outputs but the first "
                + $"takes {blocks[0].Shape.InputWidth} inputs; J must map the state to itself");
        }

        Blocks = blocks;
        LayerCount = layer;
        SlopeCount = slope;
    }

    /// <summary>The blocks, in the order the forward pass visits them.</summary>
    public IReadOnlyList<ILayerBlock> Blocks { get; }

    /// <summary>The state dimension n.</summary>
    public int Dimension => Blocks[0].Shape.InputWidth;

    /// <summary>k, the number of layers of the sample.</summary>
    public int LayerCount { get; }

    /// <summary>n₁ + … + n_k, the number of slopes.</summary>
    public int SlopeCount { get; }

    /// <summary>The whole sample as one local block: the unsharded computation.</summary>
    public static BlockPipeline Whole(Sample sample) => Split(sample, [sample.Layers.Count]);

    /// <summary>The sample split into local blocks of the given numbers of consecutive layers.</summary>
    /// <exception cref="ArgumentException">The counts are not positive or do not add up to the layers.</exception>
    public static BlockPipeline Split(Sample sample, IReadOnlyList<int> layersPerBlock)
    {
        if (layersPerBlock.Any(c => c <= 0) || layersPerBlock.Sum() != sample.Layers.Count)
        {
            throw new ArgumentException($"block sizes [{string.Join(", ", layersPerBlock)}] must be positive and add "
                + $"up to the {sample.Layers.Count} layers");
        }

        var blocks = new List<ILayerBlock>();
        var (layer, slope) = (0, 0);
        foreach (var count in layersPerBlock)
        {
            var block = new LayerBlock(sample.Layers.Skip(layer).Take(count).ToArray(), layer, slope);
            blocks.Add(block);
            (layer, slope) = (layer + count, slope + block.Shape.SlopeCount);
        }

        return new BlockPipeline(blocks);
    }

    /// <summary>
    /// Opens a climb on every block at the flat <paramref name="slopes"/>, with <paramref name="gradient"/> there
    /// (empty when not known); each block receives its slice. Dispose the climb to close it on the blocks.
    /// </summary>
    public BlockClimb Open(double lower, double upper, ReadOnlySpan<double> slopes, ReadOnlySpan<double> gradient)
    {
        if (slopes.Length != SlopeCount || (gradient.Length != 0 && gradient.Length != SlopeCount))
        {
            throw new ArgumentException($"a climb needs {SlopeCount} slopes, got {slopes.Length}");
        }

        // Limitation: a climb's slopes are scattered to the blocks when it opens and gathered when it ends (a Climb
        // carries them, for warm starts and reports): O(slopes) doubles per climb, small beside the weights but more
        // than the vectors in between; keeping them in the blocks from one outer step to the next would avoid it.
        var climb = Interlocked.Increment(ref _nextClimb);
        foreach (var block in Blocks)
        {
            var shape = block.Shape;
            block.Open(climb, lower, upper, slopes.Slice(shape.SlopeOffset, shape.SlopeCount),
                gradient.IsEmpty ? [] : gradient.Slice(shape.SlopeOffset, shape.SlopeCount));
        }

        return new BlockClimb(this, climb);
    }
}
