using ActorContractivity.Core.Model;
using BenchmarkDotNet.Attributes;

namespace ActorContractivity.Benchmarks;

/// <summary>
/// The hot loop: y = A x (a dot product per row) and y = Aᵀ x (rows scaled by x and summed, four at a time), both
/// from the one row-major layout.
/// </summary>
[MemoryDiagnoser]
public class MatrixVectorBenchmarks
{
    private Matrix _a = null!;
    private double[] _x = null!;
    private double[] _y = null!;

    [Params(256, 1000, 3000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = Workloads.DenseRandom(N).Samples[0].Layers[0];
        _x = Enumerable.Range(0, N).Select(i => 1.0 / (i + 1)).ToArray();
        _y = new double[N];
    }

    [Benchmark]
    public void Multiply() => _a.Multiply(_x, _y);

    [Benchmark]
    public void MultiplyTransposed() => _a.MultiplyTransposed(_x, _y);
}
