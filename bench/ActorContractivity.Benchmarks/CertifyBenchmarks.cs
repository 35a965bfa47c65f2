using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorContractivity.Benchmarks;

/// <summary>The whole certify question (tune ℓ, c = 0, 8 starts) on one thread.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 2)]
[MemoryDiagnoser]
public class CertifyBenchmarks
{
    private NeuralOdeModel _model = null!;

    [Params(300, 1000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _model = Workloads.DenseRandom(N);

    [Benchmark]
    public double? Certify() =>
        IntervalSolver.Solve(_model, new IntervalQuestion(), new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1)).Lower;
}
