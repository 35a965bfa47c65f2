using System.Diagnostics;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.NeuralOde.Attacks;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The attack step: both models against the same test digits, then the table, the JSON and the plot.</summary>
internal sealed partial class MnistExperiment
{
    /// <summary>The JSON behind the table and the plot.</summary>
    public const string ResultsJson = "results.json";

    /// <summary>The Markdown table.</summary>
    public const string ResultsMarkdown = "results.md";

    /// <summary>Accuracy against ε.</summary>
    public const string ResultsPlot = "accuracy.png";

    /// <summary>
    /// Attacks the baseline and the stabilised model of <paramref name="outDirectory"/> and writes
    /// <c>results.json</c>, <c>results.md</c> and <c>accuracy.png</c> there. <paramref name="seconds"/> are the times
    /// of earlier steps to report with the attack's own. Returns the results.
    /// </summary>
    public MnistResults Attack(
        string dataDirectory, string outDirectory, AttackSettings settings, int seed,
        IReadOnlyDictionary<string, double>? seconds = null)
    {
        Validate(settings);
        var clock = Stopwatch.StartNew();
        var directories = new[] { Baseline, Stabilised }.Select(name => Path.Combine(outDirectory, name)).ToArray();
        var models = directories.Select(ModelDirectory.Load).ToArray();
        if (models[0].Info.Split != models[1].Info.Split)
        {
            throw new InputException($"{directories[1]}: was trained on another split than {directories[0]}; "
                + "stabilise the baseline again");
        }

        var split = LoadSplit(dataDirectory, models[0].Info.Split, directories[0]);
        var options = new RobustnessOptions(settings.Epsilons, settings.NoiseLevels, settings.PgdSteps, Seed: seed);
        var results = new List<ModelResult>();
        foreach (var (model, info) in models)
        {
            output.WriteLine($"attack     {info.Name}: clean, FGSM and PGD-{settings.PgdSteps} at ε = "
                + $"{string.Join(", ", settings.Epsilons.Select(F))}, noise at σ = "
                + $"{string.Join(", ", settings.NoiseLevels.Select(F))} on {split.Test.Count} test digits");
            var robustness = Robustness.Evaluate(model, split.Test, options);
            var bound = CertifiedBound(model, info);
            var holds = bound is { } b ? robustness.AllPairs.Max <= b : (bool?)null;
            output.WriteLine($"           clean {Percent(robustness.CleanAccuracy)}; largest contraction ratio "
                + $"{F(robustness.AllPairs.Max)} over {robustness.AllPairs.Pairs} pairs"
                + (bound is { } e ? $", certified bound e^(cT) = {F(e)}" + (holds == true ? " holds" : " EXCEEDED")
                    : ", no certified bound"));
            results.Add(new ModelResult(info.Name, info.Slope, info.Shape, info.Certificate, bound, holds, robustness,
                info.Training));
        }

        var times = new Dictionary<string, double>(seconds ?? new Dictionary<string, double>())
        {
            ["attack"] = clock.Elapsed.TotalSeconds,
        };
        times["total"] = times.Where(p => p.Key != "total").Sum(p => p.Value);
        var report = new MnistResults(MnistResults.FormatName, models[0].Info.Split,
            new AttackReportSettings(settings.Epsilons, settings.NoiseLevels, settings.PgdSteps, options.PgdStepFactor,
                options.PowerIterations, RobustnessOptions.DirectionStep, seed),
            results, times);
        ReportWriter.WriteAtomically(Path.Combine(outDirectory, ResultsJson), report);
        OutputFile.Write(Path.Combine(outDirectory, ResultsMarkdown),
            new System.Text.UTF8Encoding(false).GetBytes(ResultsTable.Markdown(report)));
        AccuracyPlot.Write(Path.Combine(outDirectory, ResultsPlot), report);
        output.WriteLine($"results    {Path.Combine(outDirectory, ResultsMarkdown)}, {ResultsJson}, {ResultsPlot}");
        return report;
    }

    /// <summary>
    /// e^{cT} when the model's certificate applies to it: an interval was proven, the activation's slopes lie in it
    /// and A is the matrix that was certified. Null otherwise.
    /// </summary>
    private static double? CertifiedBound(OdeClassifier model, ModelInfo info) =>
        info.Certificate is { Feasible: true, Slope: { } slope } certificate
        && model.Activation.Slope >= slope
        && ModelDirectory.WeightsHash(model) == certificate.WeightsSha256
            ? Math.Exp(certificate.C * model.Shape.Time)
            : null;
}
