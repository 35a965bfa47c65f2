using System.Diagnostics;
using ActorContractivity.Benchmarks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "matvec")
{
    var a = Workloads.DenseRandom(1000).Samples[0].Layers[0];
    var x = Enumerable.Range(0, 1000).Select(i => 1.0 / (i + 1)).ToArray();
    var y = new double[1000];
    var clock = Stopwatch.StartNew();
    for (var k = 0; k < 2000; k++)
    {
        a.Multiply(x, y);
        a.MultiplyTransposed(y, x);
    }

    Console.WriteLine($"n=1000: {clock.Elapsed.TotalMilliseconds / 4000:F3} ms per matrix-vector product");
    return;
}

if (args.Length > 0 && args[0] == "quick")
{
    // A single timed pass of each workload, for a quick look without BenchmarkDotNet's repetitions.
    foreach (var n in args.Skip(1).Select(int.Parse))
    {
        var model = Workloads.DenseRandom(n);
        var clock = Stopwatch.StartNew();
        var inner = InnerSolver.Solve(model.Samples[0], 0, 0.3, 1.0, null,
            new InnerOptions(Starts: 1, MaxDegreeOfParallelism: 1, EnumerationLimit: 0));
        Console.WriteLine($"n={n} inner solve (1 start): {clock.Elapsed.TotalSeconds:F3} s, F={inner.Value:G10}, "
            + $"evaluations={inner.Evaluations}, products={inner.Products}");
        clock.Restart();
        var answer = IntervalSolver.Solve(model, new IntervalQuestion(),
            new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1));
        Console.WriteLine($"n={n} certify (8 starts): {clock.Elapsed.TotalSeconds:F3} s, lower={answer.Lower:G10}, "
            + $"steps={answer.Steps.Count}, evaluations={answer.Counts.Evaluations}, products={answer.Counts.Products}");
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
