using ActorContractivity.Core.Model;
using ActorContractivity.Core.Placement;

namespace ActorContractivity.Core.Tests;

public class PlacementPlannerTests
{
    private const long Plenty = long.MaxValue / 4;

    /// <summary>Square layers of the given widths, two to a sample.</summary>
    private static LayerSlot[] Layers(params int[] widths) =>
        widths.Select((w, t) => new LayerSlot(t / 2, t % 2, w, w)).ToArray();

    private static NodeCapacity[] Nodes(int count, long memory = Plenty) =>
        Enumerable.Range(0, count).Select(i => new NodeCapacity($"node{i}", memory)).ToArray();

    /// <summary>Every split of the layers into one contiguous (possibly empty) block per node.</summary>
    private static IEnumerable<int[]> Splits(int layers, int nodes)
    {
        if (nodes == 1)
        {
            yield return [layers];
            yield break;
        }

        for (var first = 0; first <= layers; first++)
        {
            foreach (var rest in Splits(layers - first, nodes - 1))
            {
                yield return [first, .. rest];
            }
        }
    }

    private static LayerPlacement FromCounts(IReadOnlyList<LayerSlot> layers, NodeCapacity[] nodes, int[] counts)
    {
        var blocks = new List<PlacedBlock>();
        var first = 0;
        for (var b = 0; b < nodes.Length; b++)
        {
            blocks.Add(new PlacedBlock(nodes[b].Node, first, counts[b],
                layers.Skip(first).Take(counts[b]).Sum(l => l.Bytes)));
            first += counts[b];
        }

        return new LayerPlacement(layers, blocks);
    }

    private static double Load(LayerPlacement plan, NodeCapacity[] nodes) =>
        plan.Blocks.Max(b => (double)b.Bytes / nodes.Single(n => n.Node == b.Node).WorkerSlots);

    private static bool Fits(LayerPlacement plan, NodeCapacity[] nodes) =>
        plan.Blocks.All(b => b.Bytes <= nodes.Single(n => n.Node == b.Node).MemoryBytes);

    [Fact]
    public void Equal_layers_on_equal_nodes_get_equal_blocks()
    {
        var plan = PlacementPlanner.Plan(Layers(Enumerable.Repeat(256, 400).ToArray()), Nodes(4));
        Assert.Equal([100, 100, 100, 100], plan.Blocks.Select(b => b.LayerCount));
        Assert.All(plan.Blocks, b => Assert.Equal(100L * 8 * 256 * 256, b.Bytes));
        Assert.Equal(["node0", "node1", "node2", "node3"], plan.Blocks.Select(b => b.Node));
    }

    [Fact]
    public void The_largest_load_is_the_least_any_contiguous_split_achieves()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 40; trial++)
        {
            var layers = Layers(Enumerable.Range(0, 3 + random.Next(6)).Select(_ => 1 + random.Next(12)).ToArray());
            var nodes = Enumerable.Range(0, 1 + random.Next(4))
                .Select(i => new NodeCapacity($"n{i}", 16 * 8 * (20 + random.Next(200)), 1 + random.Next(3)))
                .ToArray();
            var feasible = Splits(layers.Length, nodes.Length).Select(c => FromCounts(layers, nodes, c))
                .Where(p => Fits(p, nodes)).ToArray();
            if (feasible.Length == 0)
            {
                Assert.Throws<PlacementException>(() => PlacementPlanner.Plan(layers, nodes));
                continue;
            }

            var plan = PlacementPlanner.Plan(layers, nodes);
            Assert.True(Fits(plan, nodes));
            Assert.Equal(feasible.Min(p => Load(p, nodes)), Load(plan, nodes));
        }
    }

    [Fact]
    public void A_node_with_twice_the_worker_slots_takes_twice_the_layers_and_memory_caps_a_block()
    {
        var layers = Layers(Enumerable.Repeat(64, 12).ToArray());
        var layer = layers[0].Bytes;
        var slots = PlacementPlanner.Plan(layers,
            [new NodeCapacity("a", Plenty, 2), new NodeCapacity("b", Plenty), new NodeCapacity("c", Plenty)]);
        Assert.Equal([6, 3, 3], slots.Blocks.Select(b => b.LayerCount));

        var capped = PlacementPlanner.Plan(layers, [new NodeCapacity("a", 2 * layer), new NodeCapacity("b", Plenty)]);
        Assert.Equal([2, 10], capped.Blocks.Select(b => b.LayerCount));
    }

    [Fact]
    public void When_a_node_leaves_only_its_layers_move_and_they_go_to_its_neighbours()
    {
        var layers = Layers(Enumerable.Repeat(128, 16).ToArray());
        var nodes = Nodes(4);
        var before = PlacementPlanner.Plan(layers, nodes);
        var after = PlacementPlanner.Replan(before, [nodes[0], nodes[2], nodes[3]]);

        Assert.Equal(before.Blocks[1].Bytes, before.MovedBytes(after));
        Assert.Equal([6, 6, 4], after.Blocks.Select(b => b.LayerCount));
        Assert.Equal(["node0", "node2", "node3"], after.Blocks.Select(b => b.Node));
        Assert.Equal(before.Blocks[3], after.Blocks[2]);
    }

    [Fact]
    public void A_replan_moves_the_fewest_bytes_any_fitting_split_moves_even_when_memory_forces_a_cascade()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 30; trial++)
        {
            var layers = Layers(Enumerable.Range(0, 6 + random.Next(3)).Select(_ => 1 + random.Next(8)).ToArray());
            var total = layers.Sum(l => l.Bytes);
            var nodes = Nodes(4, total);
            var before = PlacementPlanner.Plan(layers, nodes);
            var gone = random.Next(4);
            var memory = (long)(total * (0.4 + 0.3 * random.NextDouble()));
            var left = nodes.Where((_, i) => i != gone).Select(n => n with { MemoryBytes = memory }).ToArray();
            var candidates = Splits(layers.Length, left.Length).Select(c => FromCounts(layers, left, c))
                .Where(p => Fits(p, left)).ToArray();
            if (candidates.Length == 0)
            {
                Assert.Throws<PlacementException>(() => PlacementPlanner.Replan(before, left));
                continue;
            }

            var after = PlacementPlanner.Replan(before, left);
            var fewest = candidates.Min(before.MovedBytes);
            Assert.Equal(fewest, before.MovedBytes(after));
            var fewestMoved = candidates.Where(p => before.MovedBytes(p) == fewest);
            Assert.Equal(fewestMoved.Min(p => Load(p, left)), Load(after, left));
        }
    }

    [Fact]
    public void Samples_stay_whole_on_a_node_when_the_load_allows_and_their_pieces_say_where_each_layer_is()
    {
        var layers = PlacementPlanner.Layout(new NeuralOdeModel(SyntheticModels.ResNet(3, 4, 0).ToList()));
        Assert.Equal(6, layers.Count);

        // Four nodes: two layers each at most; keeping every sample whole leaves the fourth node empty.
        var four = PlacementPlanner.Plan(layers, Nodes(4));
        Assert.Equal([2, 2, 2, 0], four.Blocks.Select(b => b.LayerCount));
        Assert.Equal([new SamplePiece("node2", 0, 2, 0)], four.PiecesOf(2));

        // Two nodes: three layers each is the least load, so the middle sample's pipeline crosses nodes.
        var two = PlacementPlanner.Plan(layers, Nodes(2));
        Assert.Equal([3, 3], two.Blocks.Select(b => b.LayerCount));
        Assert.Equal([new SamplePiece("node0", 0, 2, 0)], two.PiecesOf(0));
        Assert.Equal([new SamplePiece("node0", 0, 1, 0), new SamplePiece("node1", 1, 1, 4)], two.PiecesOf(1));
    }

    [Fact]
    public void Nodes_that_cannot_hold_the_layers_are_refused_with_the_bytes_needed()
    {
        var layers = Layers(16, 16);
        var error = Assert.Throws<PlacementException>(() => PlacementPlanner.Plan(layers, Nodes(3, 1000)));
        Assert.Equal("the 2 layers need 4096 bytes in contiguous blocks, but the 3 nodes hold at most 3000 bytes "
            + "together and 1000 on one node", error.Message);
        Assert.Throws<PlacementException>(() => PlacementPlanner.Plan(layers, [new NodeCapacity("a", Plenty, 0)]));
        Assert.Throws<PlacementException>(() => PlacementPlanner.Plan(layers, [Nodes(1)[0], Nodes(1)[0]]));
    }
}
