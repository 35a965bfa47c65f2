using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// The exact maximum of μ₂(DA) over [0.5, 1]^n by branch and bound on one thread, the incumbent from one gradient
/// search (8 starts) done in the setup.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 2)]
[MemoryDiagnoser]
public class BranchAndBoundBenchmarks
{
    private Matrix _a = null!;
    private double[] _witness = null!;

    [Params(20, 30, 40, 60)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = Workloads.DenseRandom(N);
        _a = model.Samples[0].Layers[0];
        _witness = InnerSolver.Solve(model.Samples[0], 0, 0.5, 1.0, null,
            new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1, EnumerationLimit: 0)).Slopes;
    }

    [Benchmark]
    public double ExactMaximum()
    {
        var result = BranchAndBound.Run(_a, 0.5, 1.0, new BranchAndBoundOptions(MaxSeconds: 3600), _witness);
        return result.Complete
            ? result.Maximum
            : throw new InvalidOperationException("branch and bound did not finish");
    }
}
