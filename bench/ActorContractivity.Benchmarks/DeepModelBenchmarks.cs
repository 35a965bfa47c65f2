using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// One sample's inner solve (<see cref="DeepModelRuns.Options"/>) through its layers split into equal local blocks:
/// the middle block of the 200-block width-256 ResNet (two layers: 1 or 2 blocks) and the 32-layer width-512 model
/// (1, 2 or 4 blocks). The split changes where the slopes live, not the arithmetic, so the difference is the
/// pipeline's overhead. <c>deep</c> in Program.cs measures memory per node and whole placements.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 2)]
[MemoryDiagnoser]
public class DeepModelBenchmarks
{
    private BlockPipeline _pipeline = null!;

    [Params("resnet-200x256/1", "resnet-200x256/2", "deep-32x512/1", "deep-32x512/2", "deep-32x512/4")]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var blocks = int.Parse(Case.Split('/')[1]);
        var sample = Case.StartsWith("resnet", StringComparison.Ordinal)
            ? SyntheticModels.ResNet(200, 256, 0).ElementAt(100)
            : new Sample(0, SyntheticModels.Deep(32, 512, 0).ToList());
        _pipeline = BlockPipeline.Split(sample,
            Enumerable.Repeat(sample.Layers.Count / blocks, blocks).ToArray());
    }

    [Benchmark]
    public double InnerSolve() => InnerSolver.Solve(_pipeline, 0, 0.6, 1.0, null, DeepModelRuns.Options).Value;
}
