using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Placement;

/// <summary>Thrown when the nodes cannot hold the layers.</summary>
public sealed class PlacementException(string message) : Exception(message);

/// <summary>
/// Splits a model's layers into one contiguous block per node (DESIGN §2.2). A fresh plan minimises the largest
/// load, bytes of weights per worker slot, within each node's memory; among the plans that reach it, it splits the
/// fewest samples across nodes (each split is a network hop in that sample's pipeline) and then spreads the bytes
/// most evenly (least sum of squared loads). A re-plan after the cluster changed first moves the fewest bytes, then
/// does the same. Each criterion is one dynamic programme over (node, last layer): moved bytes, splits and squared
/// loads add up and the load is a maximum, so each lexicographic order is monotone under extension and exact.
/// </summary>
public static class PlacementPlanner
{
    /// <summary>The model's layers, sample by sample.</summary>
    public static IReadOnlyList<LayerSlot> Layout(NeuralOdeModel model) =>
        model.Samples.SelectMany((sample, s) => sample.Layers.Select((layer, j) => new LayerSlot(s, j, layer.Rows,
            layer.Cols))).ToArray();

    /// <summary>The most balanced placement of the layers on the nodes, in the nodes' order.</summary>
    /// <exception cref="PlacementException">No contiguous split fits the nodes' memory.</exception>
    public static LayerPlacement Plan(IReadOnlyList<LayerSlot> layers, IReadOnlyList<NodeCapacity> nodes) =>
        Solve(layers, nodes, previous: null);

    /// <summary>
    /// A placement on the nodes now present (in their order) that moves the fewest bytes away from the node
    /// <paramref name="previous"/> put them on, then balances the load as well as that allows. When a node leaves,
    /// only its layers move, to its neighbours in the pipeline, unless their memory forces more. A node that joins
    /// gets nothing this way (moving nothing is least); <see cref="Plan"/> rebalances onto it.
    /// </summary>
    /// <exception cref="PlacementException">No contiguous split fits the nodes' memory.</exception>
    public static LayerPlacement Replan(LayerPlacement previous, IReadOnlyList<NodeCapacity> nodes) =>
        Solve(previous.Layers, nodes, previous);

    private static LayerPlacement Solve(
        IReadOnlyList<LayerSlot> layers, IReadOnlyList<NodeCapacity> nodes, LayerPlacement? previous)
    {
        Validate(layers, nodes);
        var prefix = new long[layers.Count + 1];
        for (var t = 0; t < layers.Count; t++)
        {
            prefix[t + 1] = prefix[t] + layers[t].Bytes;
        }

        // First the least largest load (among the plans moving the fewest bytes), then the best plan within it.
        var (least, _) = Programme(layers, nodes, prefix, previous, double.PositiveInfinity);
        if (least is not { } bound)
        {
            throw new PlacementException($"the {layers.Count} layers need {prefix[^1]} bytes in contiguous blocks, but "
                + $"the {nodes.Count} nodes hold at most {nodes.Sum(n => n.MemoryBytes)} bytes together and "
                + $"{nodes.Max(n => n.MemoryBytes)} on one node");
        }

        var (_, from) = Programme(layers, nodes, prefix, previous, bound.Cost);
        var blocks = new PlacedBlock[nodes.Count];
        for (int b = nodes.Count, i = layers.Count; b >= 1; b--)
        {
            var j = from[b, i];
            blocks[b - 1] = new PlacedBlock(nodes[b - 1].Node, j, i - j, prefix[i] - prefix[j]);
            i = j;
        }

        return new LayerPlacement(layers, blocks);
    }

    /// <summary>
    /// The dynamic programme: best[b, i] is the best way to put layers [0, i) on nodes [0, b) and from[b, i] where
    /// node b − 1's block starts. Without a cap the score is (moved, largest load); with a cap on every block's load
    /// it is (moved, samples split, sum of squared loads).
    /// </summary>
    // Limitation: each pass costs O(nodes · layers²) steps (fewer when memory caps the blocks), about a second at 16
    // nodes and 5 000 layers; far beyond that a bisection on the load with a greedy check would be needed.
    private static (Score? Best, int[,] From) Programme(IReadOnlyList<LayerSlot> layers,
        IReadOnlyList<NodeCapacity> nodes, long[] prefix, LayerPlacement? previous, double cap)
    {
        var count = layers.Count;
        var balance = !double.IsPositiveInfinity(cap);
        var best = new Score?[nodes.Count + 1, count + 1];
        var from = new int[nodes.Count + 1, count + 1];
        best[0, 0] = new Score(0, 0, 0.0);
        for (var b = 1; b <= nodes.Count; b++)
        {
            var node = nodes[b - 1];
            var moved = MovedPrefix(layers, node.Node, previous);
            for (var i = 0; i <= count; i++)
            {
                var split = i > 0 && i < count && layers[i].Sample == layers[i - 1].Sample ? 1 : 0;
                for (var j = i; j >= 0; j--)
                {
                    var bytes = prefix[i] - prefix[j];
                    var load = (double)bytes / node.WorkerSlots;
                    if (bytes > node.MemoryBytes || load > cap)
                    {
                        break;
                    }

                    if (best[b - 1, j] is not { } before)
                    {
                        continue;
                    }

                    var score = balance
                        ? new Score(before.Moved + moved[i] - moved[j], before.Splits + (j < i ? split : 0),
                            before.Cost + load * load)
                        : new Score(before.Moved + moved[i] - moved[j], 0, Math.Max(before.Cost, load));
                    if (best[b, i] is not { } incumbent || score.IsBetterThan(incumbent))
                    {
                        best[b, i] = score;
                        from[b, i] = j;
                    }
                }
            }
        }

        return (best[nodes.Count, count], from);
    }

    private static void Validate(IReadOnlyList<LayerSlot> layers, IReadOnlyList<NodeCapacity> nodes)
    {
        if (nodes.Count == 0)
        {
            throw new PlacementException("no node to place the layers on");
        }

        if (nodes.Select(n => n.Node).Distinct().Count() != nodes.Count)
        {
            throw new PlacementException("every node must appear once");
        }

        if (nodes.FirstOrDefault(n => n.WorkerSlots <= 0 || n.MemoryBytes < 0) is { } bad)
        {
            throw new PlacementException($"node {bad.Node} offers {bad.WorkerSlots} worker slots and {bad.MemoryBytes} "
                + "bytes; it needs at least one slot");
        }

        if (layers.Count == 0)
        {
            throw new PlacementException("no layers to place");
        }
    }

    /// <summary>moved[i]: bytes of layers [0, i) that another node held before (none without a plan).</summary>
    private static long[] MovedPrefix(IReadOnlyList<LayerSlot> layers, string node, LayerPlacement? previous)
    {
        var moved = new long[layers.Count + 1];
        for (var t = 0; t < layers.Count; t++)
        {
            var elsewhere = previous is not null && previous.NodeOf(t) != node;
            moved[t + 1] = moved[t] + (elsewhere ? layers[t].Bytes : 0);
        }

        return moved;
    }

    /// <summary>Bytes moved, samples split, then the cost (largest load, or sum of squared loads); ties keep the
    /// split found first.</summary>
    private readonly record struct Score(long Moved, int Splits, double Cost)
    {
        public bool IsBetterThan(Score other) =>
            Moved != other.Moved ? Moved < other.Moved
            : Splits != other.Splits ? Splits < other.Splits
            : Cost < other.Cost;
    }
}
