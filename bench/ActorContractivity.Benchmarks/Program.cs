using System.Diagnostics;
using ActorContractivity.Benchmarks;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "bnb")
{
    // Exact maximum over [0.5, 1]^n by branch and bound, one thread, incumbent from one gradient search.
    foreach (var n in args.Skip(1).Select(int.Parse))
    {
        var model = Workloads.DenseRandom(n);
        var a = model.Samples[0].Layers[0];
        var clock = Stopwatch.StartNew();
        var witness = InnerSolver.Solve(model.Samples[0], 0, 0.5, 1.0, null,
            new InnerOptions(Starts: 8, MaxDegreeOfParallelism: 1, EnumerationLimit: 0));
        var search = clock.Elapsed.TotalSeconds;
        var result = ActorContractivity.Core.Certify.BranchAndBound.Run(a, 0.5, 1.0,
            new ActorContractivity.Core.Certify.BranchAndBoundOptions(MaxSeconds: 600), witness.Slopes);
        Console.WriteLine($"n={n} witness {witness.Value:G12} in {search:F2} s; branch and bound: complete="
            + $"{result.Complete} max={result.Maximum:G12} nodes={result.Nodes} closed={result.ClosedFraction:G6} "
            + $"in {clock.Elapsed.TotalSeconds - search:F2} s");
    }

    return;
}

if (args.Length > 0 && args[0] == "bracket")
{
    // certify --certify auto on a random model (N, N:SEED or N:SEED:STARTS), then both ends of the bracket checked
    // from scratch. An argument nodes=K gives the models after it a budget of K nodes instead of the 60 s.
    var certify = new CertifyOptions(CertifyMode.Auto);
    foreach (var spec in args.Skip(1))
    {
        if (spec.StartsWith("nodes=", StringComparison.Ordinal))
        {
            certify = new CertifyOptions(CertifyMode.Auto, BudgetNodes: long.Parse(spec["nodes=".Length..]));
            continue;
        }

        var parts = spec.Split(':');
        var n = int.Parse(parts[0]);
        var seed = parts.Length > 1 ? int.Parse(parts[1]) : 1;
        var starts = parts.Length > 2 ? int.Parse(parts[2]) : 8;
        var model = Workloads.DenseRandom(n, seed);
        var a = model.Samples[0].Layers[0];
        var question = new IntervalQuestion();
        var clock = Stopwatch.StartNew();
        var answer = IntervalSolver.Solve(model, question, new InnerOptions(Starts: starts), certify);
        var seconds = clock.Elapsed.TotalSeconds;
        var (witnessEnd, safeEnd) = (answer.BracketLow!.Value, answer.BracketHigh!.Value);
        var below = answer.Witness.Slopes.Select(d => d == witnessEnd ? witnessEnd - 1e-6 : d).ToArray();
        var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => below[i] * a[i, j]);
        var witnessValue = (0.5 * (dense + dense.Transpose()))
            .Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric)
            .EigenValues.Max(z => z.Real);
        // The bound's proof at its own safe end, repeated with its multipliers; where branch and bound moved the
        // safe end below it, that box decided again from scratch, without a budget.
        var certificate = answer.Certificate!;
        var boundProof = ActorContractivity.Core.Certify.MatrixCubeBound.ForBox(a, certificate.SafeEnd, question.Fixed)
            .ProvesBelow(certificate.Multipliers[0], question.C);
        var proof = safeEnd == certificate.SafeEnd
            ? $"the bound's, re-checked: {boundProof}"
            : $"branch and bound's (the bound's at {certificate.SafeEnd:G10}, re-checked: {boundProof}), decided "
              + "again: " + ActorContractivity.Core.Certify.PartitionedDecision.Decide(model, question,
                  new DecideStep(safeEnd, answer.Witness, double.PositiveInfinity), 0, -1).Outcome;
        Console.WriteLine($"n={n} seed={seed} starts={starts} status={answer.Status} "
            + $"nodes={answer.BranchAndBound?.Nodes} bracket=[{witnessEnd:G10}, {safeEnd:G10}] "
            + $"width={safeEnd - witnessEnd:G4} in {seconds:F1} s; "
            + $"witness μ₂ 1e-6 below its end = {witnessValue:G6} (> c: {witnessValue > question.C}); "
            + $"proof at the safe end: {proof}");
    }

    return;
}

if (args.Length > 0 && args[0] == "decide")
{
    // Branch and bound deciding μ₂ ≤ 0 on the box [θ, 1] of a random model (N:SEED, then the θ values) as
    // certify decides it in process (the partitioned decision, all threads), from an 8-start witness, without a
    // budget.
    var parts = args[1].Split(':');
    var n = int.Parse(parts[0]);
    var model = Workloads.DenseRandom(n, parts.Length > 1 ? int.Parse(parts[1]) : 1);
    var question = new IntervalQuestion();
    foreach (var theta in args.Skip(2).Select(double.Parse))
    {
        var witness = InnerSolver.Solve(model.Samples[0], 0, theta, 1.0, null,
            new InnerOptions(Starts: 8, EnumerationLimit: 0));
        var clock = Stopwatch.StartNew();
        var decision = ActorContractivity.Core.Certify.PartitionedDecision.Decide(model, question,
            new DecideStep(theta, new WorstCase(witness.Value, 0, witness.Slopes, [0, n], new double[n], 0, false),
                double.PositiveInfinity), 0, -1);
        Console.WriteLine($"n={n} θ={theta}: {decision.Outcome}, {decision.Nodes} nodes in "
            + $"{clock.Elapsed.TotalSeconds:F1} s (witness μ₂ {witness.Value:G6})");
    }

    return;
}

if (args.Length > 0 && args[0] == "write")
{
    // The random model N:SEED as a CSV file, for certify: `write 200:1 random-200-1.csv`.
    var parts = args[1].Split(':');
    var n = int.Parse(parts[0]);
    var a = Workloads.DenseRandom(n, parts.Length > 1 ? int.Parse(parts[1]) : 1).Samples[0].Layers[0];
    File.WriteAllLines(args[2], Enumerable.Range(0, n).Select(i => string.Join(",",
        Enumerable.Range(0, n).Select(j => a[i, j].ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
    return;
}

if (args.Length > 0 && args[0] == "gap")
{
    // Where a bracket's width comes from: at box [ℓ, 1] of a random model (N:SEED, then the ℓ values), the
    // optimised bound with the top eigenvalues of its M(λ), against the best pattern of 8 to 4096 starts.
    var parts = args[1].Split(':');
    var n = int.Parse(parts[0]);
    var model = Workloads.DenseRandom(n, parts.Length > 1 ? int.Parse(parts[1]) : 1);
    var a = model.Samples[0].Layers[0];
    var dense = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => a[i, j]);
    foreach (var lower in args.Skip(2).Select(double.Parse))
    {
        var (bound, lambda) = ActorContractivity.Core.Certify.MatrixCubeBound.ForBox(a, lower, 1.0)
            .Minimise(null, ActorContractivity.Core.Eigen.LanczosOptions.Default, new Random(1));
        var (center, radius) = (0.5 * (1.0 + lower), 0.5 * (1.0 - lower));
        var inverse = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalArray(
            lambda.Select(x => 1.0 / x).ToArray());
        var m = center * 0.5 * (dense + dense.Transpose())
            + 0.5 * radius * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalArray(lambda)
            + 0.5 * radius * dense.Transpose() * inverse * dense;
        var top = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues
            .Select(z => z.Real).OrderDescending().Take(5);
        Console.WriteLine($"ℓ={lower} bound U={bound:G6}, top eigenvalues of M(λ): "
            + string.Join(" ", top.Select(v => v.ToString("G6"))));
        foreach (var starts in new[] { 8, 64, 256, 1024, 4096 })
        {
            var clock = Stopwatch.StartNew();
            var witness = InnerSolver.Solve(model.Samples[0], 0, lower, 1.0, null,
                new InnerOptions(Starts: starts, EnumerationLimit: 0));
            Console.WriteLine($"  {starts} starts: best μ₂ {witness.Value:G6} in {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    return;
}

if (args.Length > 0 && args[0] == "ceiling")
{
    // The samples [FIRST, FIRST + COUNT) of the generated 200-block width-256 ResNet solved one after the other on
    // one thread, through the four boxes a one-start outer search of it evaluates: the work of a layer-shard node
    // without the cluster, so that one process alone and two at once on the two cores show what the machine allows.
    var (first, count) = (int.Parse(args[1]), int.Parse(args[2]));
    var model = new ActorContractivity.Core.Model.NeuralOdeModel(
        ActorContractivity.Core.Model.SyntheticModels.ResNet(200, 256, 0).ToList());
    var options = new InnerOptions(Starts: 1, MaxDegreeOfParallelism: 1, EnumerationLimit: 0);
    InnerSolver.Solve(model.Samples[first], first, 0.7, 1.0, null, options); // compiled before the clock starts
    var clock = Stopwatch.StartNew();
    var processor = Process.GetCurrentProcess().TotalProcessorTime;
    var boxes = new[] { (1.0, 1.0), (0.0, 1.0), (0.41440630128783235, 1.0), (0.5159500208562817, 1.0) };
    foreach (var (lower, upper) in boxes)
    {
        for (var s = first; s < first + count; s++)
        {
            InnerSolver.Solve(model.Samples[s], s, lower, upper, null, options);
        }
    }

    Console.WriteLine($"samples {first}–{first + count - 1}: {clock.Elapsed.TotalSeconds:F2} s wall, "
        + $"{(Process.GetCurrentProcess().TotalProcessorTime - processor).TotalSeconds:F2} s of processor");
    return;
}

if (args.Length > 0 && args[0] == "deep")
{
    // Deep models placed on 1, 2 and 4 in-process nodes: memory per node and the block-pipelined inner solve.
    DeepModelRuns.Run(args[1..]);
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
            + $"steps={answer.Steps.Count}, evaluations={answer.Counts.Evaluations}, "
            + $"products={answer.Counts.Products}");
        foreach (var step in answer.Steps)
        {
            Console.WriteLine($"  θ={step.Theta:G12} φ={step.Phi:G12} dφ={step.Derivative:G6} {step.Rule}");
        }
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
