using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// The whole certify question (tune ℓ, c = 0, 8 starts) on one thread: the gradient search's answer alone, and
/// certified as <c>--certify auto</c> does it (60 s budget; above 160 slopes the bound bracket).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 2)]
[MemoryDiagnoser]
public class CertifyBenchmarks
{
    private NeuralOdeModel _model = null!;

    [Params(300, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _model = Workloads.DenseRandom(N);

    [Benchmark(Baseline = true)]
    public double? Estimate() =>
        IntervalSolver.Solve(_model, new IntervalQuestion(), new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1),
            CertifyMode.Off).Lower;

    [Benchmark]
    public double? Certified() =>
        IntervalSolver.Solve(_model, new IntervalQuestion(), new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1),
            CertifyMode.Auto).Lower;
}
