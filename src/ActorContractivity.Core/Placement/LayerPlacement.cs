using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Placement;

/// <summary>What a node offers to hold layer blocks.</summary>
/// <param name="Node">The node's name (its address, say); the order of nodes is the order of the pipeline.</param>
/// <param name="MemoryBytes">Bytes of weights the node may hold.</param>
/// <param name="WorkerSlots">How many products the node computes at once; a node with twice the slots takes twice
/// the bytes, since a product costs time in proportion to the bytes of weights it streams.</param>
public sealed record NodeCapacity(string Node, long MemoryBytes, int WorkerSlots = 1);

/// <summary>One layer of the model in the order the planner lays them out: sample by sample, A_1 first.</summary>
/// <param name="Sample">The sample the layer belongs to.</param>
/// <param name="Layer">Its index in the sample (0 = A_1).</param>
/// <param name="Rows">Its outputs.</param>
/// <param name="Cols">Its inputs.</param>
public sealed record LayerSlot(int Sample, int Layer, int Rows, int Cols)
{
    /// <summary>Bytes its weights take in memory (<see cref="Matrix.StorageBytes"/>).</summary>
    public long Bytes => Matrix.StorageBytes(Rows, Cols);
}

/// <summary>A contiguous run of the laid-out layers placed on one node.</summary>
/// <param name="Node">The node.</param>
/// <param name="FirstLayer">Index of the first layer in <see cref="LayerPlacement.Layers"/>.</param>
/// <param name="LayerCount">How many layers (0: the node holds nothing).</param>
/// <param name="Bytes">Their bytes of weights.</param>
public sealed record PlacedBlock(string Node, int FirstLayer, int LayerCount, long Bytes);

/// <summary>The layers of one sample that one node holds: a <see cref="Blocks.LayerBlock"/> to build there.</summary>
/// <param name="Node">The node.</param>
/// <param name="FirstLayer">Index of the first layer in the sample.</param>
/// <param name="LayerCount">How many consecutive layers.</param>
/// <param name="SlopeOffset">Where their slopes start in the sample's flat slopes.</param>
public sealed record SamplePiece(string Node, int FirstLayer, int LayerCount, int SlopeOffset);

/// <summary>
/// Which node holds which layers: one contiguous block of the laid-out layers per node, in the nodes' order. A block
/// may end inside a sample and the next begin there; that sample's pipeline then crosses from one node to the next.
/// </summary>
public sealed class LayerPlacement
{
    private readonly string[] _nodeOfLayer;

    /// <summary>A placement of the layers as the blocks say (they must tile the layers in order).</summary>
    public LayerPlacement(IReadOnlyList<LayerSlot> layers, IReadOnlyList<PlacedBlock> blocks)
    {
        _nodeOfLayer = new string[layers.Count];
        var next = 0;
        foreach (var block in blocks)
        {
            if (block.FirstLayer != next)
            {
                throw new ArgumentException(
                    $"the block of {block.Node} starts at layer {block.FirstLayer}, not {next}");
            }

            for (var t = next; t < next + block.LayerCount; t++)
            {
                _nodeOfLayer[t] = block.Node;
            }

            next += block.LayerCount;
        }

        if (next != layers.Count)
        {
            throw new ArgumentException($"the blocks hold {next} of the {layers.Count} layers");
        }

        Layers = layers;
        Blocks = blocks;
    }

    /// <summary>The layers, laid out sample by sample.</summary>
    public IReadOnlyList<LayerSlot> Layers { get; }

    /// <summary>One block per node, in the nodes' order.</summary>
    public IReadOnlyList<PlacedBlock> Blocks { get; }

    /// <summary>The node holding the laid-out layer <paramref name="layer"/>.</summary>
    public string NodeOf(int layer) => _nodeOfLayer[layer];

    /// <summary>The pieces of a sample's pipeline, in forward order: which node holds which of its layers.</summary>
    public IReadOnlyList<SamplePiece> PiecesOf(int sample)
    {
        var pieces = new List<SamplePiece>();
        var slope = 0;
        for (var t = 0; t < Layers.Count; t++)
        {
            if (Layers[t].Sample != sample)
            {
                continue;
            }

            if (pieces.Count > 0 && pieces[^1].Node == _nodeOfLayer[t])
            {
                pieces[^1] = pieces[^1] with { LayerCount = pieces[^1].LayerCount + 1 };
            }
            else
            {
                pieces.Add(new SamplePiece(_nodeOfLayer[t], Layers[t].Layer, 1, slope));
            }

            slope += Layers[t].Rows;
        }

        return pieces;
    }

    /// <summary>Bytes of weights that change node between this placement and <paramref name="next"/>.</summary>
    public long MovedBytes(LayerPlacement next) =>
        Enumerable.Range(0, Layers.Count).Where(t => NodeOf(t) != next.NodeOf(t)).Sum(t => Layers[t].Bytes);
}
