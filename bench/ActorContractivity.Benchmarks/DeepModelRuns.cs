using System.Diagnostics;
using System.Globalization;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Placement;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// The deep-model measurements of bench/README.md, one timed pass each (the machine is shared, so BenchmarkDotNet's
/// repetitions would mostly measure the neighbours): the model is placed on 1, 2 and 4 "nodes" of one process by
/// the planner, each node builds its blocks from its own copy of its layers (the bytes it allocates are its memory),
/// and the inner solve runs through the blocks; its result is checked to be the unsharded one bit for bit.
/// </summary>
public static class DeepModelRuns
{
    /// <summary>The inner solve measured: one start, one thread, the box [0.6, 1] (the faster of two passes).</summary>
    public static readonly InnerOptions Options = new(Starts: 1, MaxDegreeOfParallelism: 1, EnumerationLimit: 0);

    /// <summary><c>deep resnet BLOCKS WIDTH SAMPLES</c> or <c>deep layers LAYERS WIDTH</c>.</summary>
    public static void Run(string[] args)
    {
        var (kind, count, width) = (args[0], int.Parse(args[1]), int.Parse(args[2]));
        var clock = Stopwatch.StartNew();
        var model = kind == "resnet"
            ? new NeuralOdeModel(SyntheticModels.ResNet(count, width, 0).ToList())
            : new NeuralOdeModel([new Sample(0, SyntheticModels.Deep(count, width, 0).ToList())]);
        var solved = kind == "resnet"
            ? Enumerable.Range(0, int.Parse(args[3])).Select(i => i * count / int.Parse(args[3])).ToArray()
            : [0];
        Console.WriteLine($"{kind} {count}×{width}: generated in {clock.Elapsed.TotalSeconds:F1} s; "
            + $"load average {LoadAverage()}");

        // Compile and tier up the solver first, so the first placement measured pays no more than the others.
        foreach (var s in solved)
        {
            InnerSolver.Solve(BlockPipeline.Whole(model.Samples[s]), s, 0.6, 1.0, null, Options);
        }

        InnerResult[]? reference = null;
        foreach (var nodes in new[] { 1, 2, 4 })
        {
            var layout = PlacementPlanner.Layout(model);
            var capacities = Enumerable.Range(0, nodes).Select(i => new NodeCapacity($"node{i}", long.MaxValue / 8));
            var placement = PlacementPlanner.Plan(layout, capacities.ToArray());
            var (pipelines, allocated) = Build(model, placement, solved);

            var (results, seconds) = Timed(pipelines, solved);
            reference ??= results;
            var same = results.Zip(reference).All(p => p.First.Value == p.Second.Value
                && p.First.Slopes.SequenceEqual(p.Second.Slopes) && p.First.Gradient.SequenceEqual(p.Second.Gradient));
            var state = pipelines[solved[0]].Blocks.Max(b => StatePerClimb((LayerBlock)b));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {nodes} node(s): weights per node {Megabytes(placement.Blocks.Select(b => b.Bytes))} MB "
                + $"(allocated {Megabytes(allocated)} MB); largest climb state per block {state / 1e6:F2} MB; "
                + $"inner solve of {solved.Length} sample(s) {seconds} "
                + $"({results.Sum(r => r.Evaluations)} evaluations, {results.Sum(r => r.Products)} products), "
                + $"F = {results.Max(r => r.Value):R}, same as 1 node bit for bit: {same}; "
                + $"load average {LoadAverage()}"));
        }

        RunPerLayer(model, solved);
    }

    /// <summary>
    /// Every layer a block of its own (for a ResNet, each sample's two layers on two nodes): the most hops a
    /// product can take.
    /// </summary>
    public static void RunPerLayer(NeuralOdeModel model, int[] solved)
    {
        var pipelines = solved.ToDictionary(s => s, s => BlockPipeline.Split(model.Samples[s],
            Enumerable.Repeat(1, model.Samples[s].Layers.Count).ToArray()));
        var (results, seconds) = Timed(pipelines, solved);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  one block per layer ({pipelines[solved[0]].Blocks.Count} blocks per sample): inner solve "
            + $"{seconds}, F = {results.Max(r => r.Value):R}; load average {LoadAverage()}"));
    }

    /// <summary>
    /// The inner solves, the faster of two passes (the first also compiles): wall seconds and the processor seconds of
    /// this process, which other processes on a shared machine disturb less.
    /// </summary>
    private static (InnerResult[] Results, string Seconds) Timed(Dictionary<int, BlockPipeline> pipelines, int[] solved)
    {
        var (wall, processor) = (double.PositiveInfinity, double.PositiveInfinity);
        InnerResult[] results = [];
        for (var pass = 0; pass < 2; pass++)
        {
            GC.Collect();
            var clock = Stopwatch.StartNew();
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            results = solved.Select(s => InnerSolver.Solve(pipelines[s], s, 0.6, 1.0, null, Options)).ToArray();
            processor = Math.Min(processor, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
            wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
        }

        return (results, string.Create(CultureInfo.InvariantCulture, $"{wall:F2} s (processor {processor:F2} s)"));
    }

    /// <summary>
    /// Each node's blocks, built from the node's own copies of its layers, and the bytes each node allocated doing so.
    /// Only the pipelines of the samples to solve are kept.
    /// </summary>
    private static (Dictionary<int, BlockPipeline> Pipelines, long[] Allocated) Build(
        NeuralOdeModel model, LayerPlacement placement, int[] solved)
    {
        var allocated = new long[placement.Blocks.Count];
        var copies = new Dictionary<(int Sample, int Layer), Matrix>();
        for (var b = 0; b < placement.Blocks.Count; b++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var block = placement.Blocks[b];
            foreach (var slot in placement.Layers.Skip(block.FirstLayer).Take(block.LayerCount))
            {
                var original = model.Samples[slot.Sample].Layers[slot.Layer];
                copies[(slot.Sample, slot.Layer)] =
                    Matrix.FromRowMajor(original.Rows, original.Cols, original.RowMajorValues);
            }

            allocated[b] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var pipelines = new Dictionary<int, BlockPipeline>();
        foreach (var s in solved)
        {
            pipelines[s] = new BlockPipeline(placement.PiecesOf(s).Select(piece => (ILayerBlock)new LayerBlock(
                Enumerable.Range(piece.FirstLayer, piece.LayerCount).Select(j => copies[(s, j)]).ToArray(),
                piece.FirstLayer, piece.SlopeOffset)).ToList());
        }

        return (pipelines, allocated);
    }

    private static long StatePerClimb(LayerBlock block)
    {
        block.Open(-1, 0, 1, new double[block.Shape.SlopeCount], []);
        var bytes = block.StateBytes;
        block.Close(-1);
        return bytes;
    }

    private static string Megabytes(IEnumerable<long> bytes) =>
        string.Join(" / ", bytes.Select(b => (b / 1e6).ToString("F1", CultureInfo.InvariantCulture)));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
