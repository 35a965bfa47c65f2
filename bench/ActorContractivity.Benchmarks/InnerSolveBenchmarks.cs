using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// One inner solve (one start, climb and polish, one thread) on the box [0.3, 1], with the Lanczos eigen-solver
/// and with a dense symmetric eigendecomposition at every evaluation instead.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class InnerSolveBenchmarks
{
    private Sample _sample = null!;

    [Params(100, 300, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _sample = Workloads.DenseRandom(N).Samples[0];

    [Benchmark(Baseline = true)]
    public double Lanczos() => Solve(LanczosOptions.Default);

    [Benchmark]
    public double DenseEigendecomposition() => Solve(LanczosOptions.Default with { DenseBelow = int.MaxValue });

    private double Solve(LanczosOptions lanczos) =>
        InnerSolver.Solve(_sample, 0, 0.3, 1.0, null,
            new InnerOptions(Starts: 1, EnumerationLimit: 0, MaxDegreeOfParallelism: 1) { Lanczos = lanczos }).Value;
}
