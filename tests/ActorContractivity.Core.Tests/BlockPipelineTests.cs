using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Placement;

namespace ActorContractivity.Core.Tests;

public class BlockPipelineTests
{
    /// <summary>
    /// Layers n → widths[0] → … → n, Gaussian of variance 1/inputs, square ones shifted by −0.8.
    /// </summary>
    private static Sample Chain(int seed, int n, params int[] widths)
    {
        var random = new Random(seed);
        var layers = new List<Matrix>();
        var inputs = n;
        foreach (var outputs in widths.Append(n))
        {
            layers.Add(RandomModels.Gaussian(random, outputs, inputs, 1 / Math.Sqrt(inputs),
                outputs == inputs ? -0.8 : 0));
            inputs = outputs;
        }

        return new Sample(0, layers);
    }

    public static TheoryData<string, int[]> Splits() => new()
    {
        // name of the sample, layers per block
        { "one layer n = 30", [1] },
        { "two layers 12 → 17 → 12", [1, 1] },
        { "four layers 6 → 7 → 5 → 9 → 6", [4] },
        { "four layers 6 → 7 → 5 → 9 → 6", [1, 3] },
        { "four layers 6 → 7 → 5 → 9 → 6", [2, 1, 1] },
        { "four layers 6 → 7 → 5 → 9 → 6", [1, 1, 1, 1] },
        { "six layers 30 → 40 → 30 → 30 → 20 → 30 → 30", [2, 4] },
        { "six layers 30 → 40 → 30 → 30 → 20 → 30 → 30", [3, 1, 2] },
        { "six layers 30 → 40 → 30 → 30 → 20 → 30 → 30", [1, 1, 1, 1, 1, 1] },
    };

    private static Sample Named(string name) => name switch
    {
        "one layer n = 30" => new Sample(0, [RandomModels.Gaussian(new Random(1), 30, 30, 1 / Math.Sqrt(30), -1)]),
        "two layers 12 → 17 → 12" => Chain(2, 12, 17),
        "four layers 6 → 7 → 5 → 9 → 6" => Chain(3, 6, 7, 5, 9),
        _ => Chain(4, 30, 40, 30, 30, 20, 30),
    };

    private static void AssertSame(InnerResult expected, InnerResult actual)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Value), BitConverter.DoubleToInt64Bits(actual.Value));
        Assert.Equal(expected.Slopes, actual.Slopes);
        Assert.Equal(expected.Vector, actual.Vector);
        Assert.Equal(expected.Gradient, actual.Gradient);
        Assert.Equal(expected.Residual, actual.Residual);
        Assert.Equal(expected.GradientSteps, actual.GradientSteps);
        Assert.Equal(expected.Evaluations, actual.Evaluations);
        Assert.Equal(expected.Products, actual.Products);
        Assert.Equal(expected.Climbs.Select(c => c.Slopes), actual.Climbs.Select(c => c.Slopes));
        Assert.Equal(expected.Climbs.Select(c => c.Vector), actual.Climbs.Select(c => c.Vector));
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void Inner_solve_through_blocks_equals_the_unsharded_solve_bit_for_bit(string name, int[] split)
    {
        var sample = Named(name);
        var pipeline = BlockPipeline.Split(sample, split);
        foreach (var step in new double?[] { null, 0.15 })
        {
            var options = new InnerOptions(Starts: 5, Seed: 7, EnumerationLimit: 0);
            var whole = InnerSolver.Solve(sample, 3, 0.3, 1.0, step, options);
            var sharded = InnerSolver.Solve(pipeline, 3, 0.3, 1.0, step, options);
            AssertSame(whole, sharded);
            Assert.False(sharded.Exact);

            // The next outer step starts from the climbs of this one, mapped into the new box.
            var warm = whole.Climbs.Select(c => new WarmStart(c.Slopes.Select(v => v == 0.3 ? 0.4 : v).ToArray(),
                c.Vector)).ToList();
            AssertSame(InnerSolver.Solve(sample, 3, 0.4, 1.0, step, options, warm),
                InnerSolver.Solve(pipeline, 3, 0.4, 1.0, step, options, warm));
            AssertSame(InnerSolver.Solve(sample, 3, 0.6, 0.6, step, options),
                InnerSolver.Solve(pipeline, 3, 0.6, 0.6, step, options));
        }
    }

    [Fact]
    public void Climbs_through_blocks_in_any_order_finish_like_the_unsharded_solve()
    {
        var sample = Chain(5, 20, 30, 18);
        var pipeline = BlockPipeline.Split(sample, [2, 1]);
        var options = new InnerOptions(Starts: 4, Seed: 1, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var starts = InnerSolver.StartPoints(sample.DiagonalCount, 0.2, 1, options, 0, null);
        var climbs = new Climb[starts.Count];
        for (var s = starts.Count - 1; s >= 0; s--)
        {
            climbs[s] = InnerSolver.ClimbFrom(pipeline, 0, 0.2, 1, null, options, s, starts[s], polish: false);
        }

        Assert.True(sample.DiagonalCount > 64);
        AssertSame(InnerSolver.Solve(sample, 0, 0.2, 1, null, options),
            InnerSolver.Finish(pipeline, 0, 0.2, 1, null, options, climbs));
    }

    [Fact]
    public void A_sample_split_across_nodes_by_the_planner_solves_like_the_whole_sample()
    {
        var model = new NeuralOdeModel(SyntheticModels.ResNet(3, 6, 1).ToList());
        var placement = PlacementPlanner.Plan(PlacementPlanner.Layout(model),
            [new NodeCapacity("a", long.MaxValue), new NodeCapacity("b", long.MaxValue)]);
        var pieces = placement.PiecesOf(1);
        Assert.Equal([new SamplePiece("a", 0, 1, 0), new SamplePiece("b", 1, 1, 6)], pieces);

        var sample = model.Samples[1];
        var pipeline = new BlockPipeline(pieces.Select(p => (ILayerBlock)new LayerBlock(
            sample.Layers.Skip(p.FirstLayer).Take(p.LayerCount).ToArray(), p.FirstLayer, p.SlopeOffset)).ToList());
        var options = new InnerOptions(Starts: 4, Seed: 2, EnumerationLimit: 0);
        AssertSame(InnerSolver.Solve(sample, 1, 0.5, 1, null, options),
            InnerSolver.Solve(pipeline, 1, 0.5, 1, null, options));
    }

    [Fact]
    public void Pipelined_products_and_gradient_slices_equal_those_of_the_whole_chain()
    {
        var sample = Chain(6, 5, 8, 3, 7);
        var random = new Random(9);
        var slopes = Enumerable.Range(0, sample.DiagonalCount).Select(_ => random.NextDouble()).ToArray();
        var x = Enumerable.Range(0, 5).Select(_ => random.NextDouble() - 0.5).ToArray();
        var chain = new JacobianChain(sample);
        slopes.CopyTo(chain.Slopes, 0);
        var (jx, jtx, gradient) = (new double[5], new double[5], new double[slopes.Length]);
        chain.Forward(x, jx);
        chain.Backward(x, jtx);
        chain.AccumulateGradient(gradient, 2.0);

        using var climb = BlockPipeline.Split(sample, [1, 2, 1]).Open(0, 1, slopes, []);
        var (pjx, pjtx) = (new double[5], new double[5]);
        climb.Forward(x, pjx);
        climb.Backward(x, pjtx);
        Assert.Equal(jx, pjx);
        Assert.Equal(jtx, pjtx);
        climb.KeepGradient(2.0);
        climb.Accept();
        Assert.Equal(gradient, climb.Read().Gradient);
        Assert.Equal(slopes, climb.Read().Slopes);
        var dense = RandomModels.Jacobian(sample, slopes);
        Assert.Equal(dense.Multiply(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(x)).ToArray(),
            pjx, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Blocks_receive_layer_width_vectors_and_scalars_and_slope_slices_only_when_a_climb_opens_or_ends()
    {
        var sample = Chain(7, 10, 14, 6);
        var recorders = BlockPipeline.Split(sample, [1, 1, 1]).Blocks.Select(b => new RecordingBlock(b)).ToArray();
        var options = new InnerOptions(Starts: 3, Seed: 2, EnumerationLimit: 0, MaxDegreeOfParallelism: 1);
        var result = InnerSolver.Solve(new BlockPipeline(recorders), 0, 0.3, 1, null, options);

        Assert.Equal(InnerSolver.Solve(sample, 0, 0.3, 1, null, options).Value, result.Value);
        int[] widths = [10, 14, 6];
        foreach (var recorder in recorders)
        {
            // Forward and backward: the layer widths at the block's ends; nothing else ever carries a vector.
            var shape = recorder.Inner.Shape;
            int[] ends = [shape.InputWidth, shape.OutputWidth];
            Assert.All(recorder.Vectors, length => Assert.Contains(length, ends));
            Assert.All(recorder.Vectors, length => Assert.Contains(length, widths));

            // Slopes cross only to open a climb (3 starts, the final evaluation) and to gather its outcome, against
            // hundreds of vector products in between.
            Assert.Equal(4, recorder.Opens);
            Assert.Equal(4, recorder.Reads);
            Assert.True(recorder.Products > 100 * recorder.Opens, $"{recorder.Products} products");
        }
    }

    [Fact]
    public void Weight_memory_per_block_falls_in_proportion_to_the_number_of_blocks()
    {
        var sample = new Sample(0, SyntheticModels.Deep(8, 16, 1).ToList());
        var whole = BlockPipeline.Whole(sample).Blocks.Single().Shape.WeightBytes;
        Assert.Equal(8L * 8 * 16 * 16, whole);
        foreach (var blocks in new[] { 2, 4, 8 })
        {
            var pipeline = BlockPipeline.Split(sample, Enumerable.Repeat(8 / blocks, blocks).ToArray());
            Assert.All(pipeline.Blocks, b => Assert.Equal(whole / blocks, b.Shape.WeightBytes));
        }

        // A climb's state is six doubles per slope and a scratch vector, on the block that owns the slopes.
        var block = (LayerBlock)BlockPipeline.Split(sample, [4, 4]).Blocks[0];
        block.Open(1, 0.5, 1, new double[64], []);
        Assert.Equal(8 * (6 * 64 + 16), block.StateBytes);
        block.Close(1);
        Assert.Equal(0, block.StateBytes);
    }

    [Fact]
    public void The_median_step_found_from_counts_equals_the_median_of_the_sorted_magnitudes()
    {
        var random = new Random(3);
        var sample = Chain(8, 6, 9, 4);
        var pipeline = BlockPipeline.Split(sample, [1, 1, 1]);
        for (var trial = 0; trial < 50; trial++)
        {
            var gradient = Enumerable.Range(0, sample.DiagonalCount).Select(_ => random.Next(4) switch
            {
                0 => 0.0,
                1 => -Math.Round(random.NextDouble(), 1),
                2 => double.NaN,
                _ => Math.Exp(40 * random.NextDouble() - 20),
            }).ToArray();
            var magnitudes = gradient.Select(Math.Abs).Where(g => g > 0).Order().ToArray();
            using var climb = pipeline.Open(0, 1, new double[sample.DiagonalCount], gradient);
            Assert.Equal(magnitudes.Length == 0 ? null : magnitudes[magnitudes.Length / 2],
                climb.MedianGradientMagnitude());
        }
    }

    [Fact]
    public void Blocks_that_do_not_tile_the_sample_are_refused()
    {
        var sample = Chain(9, 4, 5, 6);
        var blocks = BlockPipeline.Split(sample, [1, 1, 1]).Blocks;
        Assert.Contains("starts at layer 2", Assert.Throws<ArgumentException>(
            () => new BlockPipeline([blocks[0], blocks[2]])).Message);
        Assert.Contains("J must map the state to itself", Assert.Throws<ArgumentException>(
            () => new BlockPipeline([blocks[0], blocks[1]])).Message);
        Assert.Contains("add up to the 3 layers", Assert.Throws<ArgumentException>(
            () => BlockPipeline.Split(sample, [1, 1])).Message);
    }

    /// <summary>Passes every call on and records the lengths of the vectors it carried.</summary>
    private sealed class RecordingBlock(ILayerBlock inner) : ILayerBlock
    {
        public ILayerBlock Inner => inner;

        public List<int> Vectors { get; } = [];

        public int Opens { get; private set; }

        public int Reads { get; private set; }

        public int Products { get; private set; }

        public BlockShape Shape => inner.Shape;

        public void Open(int climb, double lower, double upper, ReadOnlySpan<double> slopes,
            ReadOnlySpan<double> gradient)
        {
            Opens++;
            inner.Open(climb, lower, upper, slopes, gradient);
        }

        public void Close(int climb) => inner.Close(climb);

        public void Forward(int climb, ReadOnlySpan<double> x, Span<double> result)
        {
            Products++;
            Vectors.AddRange([x.Length, result.Length]);
            inner.Forward(climb, x, result);
        }

        public void Backward(int climb, ReadOnlySpan<double> y, Span<double> result)
        {
            Products++;
            Vectors.AddRange([y.Length, result.Length]);
            inner.Backward(climb, y, result);
        }

        public void KeepGradient(int climb, double? scale) => inner.KeepGradient(climb, scale);

        public void Accept(int climb) => inner.Accept(climb);

        public bool ProposeStep(int climb, double step) => inner.ProposeStep(climb, step);

        public void ProposeVertex(int climb) => inner.ProposeVertex(climb);

        public void ProposeFlip(int climb, int slope) => inner.ProposeFlip(climb, slope);

        public bool IsVertex(int climb) => inner.IsVertex(climb);

        public int CountGradient(int climb, double atMost) => inner.CountGradient(climb, atMost);

        public FlipCandidate[] FlipCandidates(int climb, int limit, double value, ReadOnlySpan<double> vector)
        {
            Assert.Equal(0, vector.Length);
            return inner.FlipCandidates(climb, limit, value, vector);
        }

        public void Read(int climb, Span<double> slopes, Span<double> gradient)
        {
            Reads++;
            inner.Read(climb, slopes, gradient);
        }
    }
}
