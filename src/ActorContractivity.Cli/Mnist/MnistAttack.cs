using System.Diagnostics;
using System.Text.Json;
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
        var clock = Stopwatch.StartNew();
        var baselineDirectory = Path.Combine(outDirectory, Baseline);
        var stabilisedDirectory = Path.Combine(outDirectory, Stabilised);
        var baseline = ModelDirectory.Load(baselineDirectory, TrainRemedy);
        var stabilised = ModelDirectory.Load(stabilisedDirectory, StabiliseRemedy);
        RequireCurrentCertificate(baselineDirectory, baseline,
            "certify it again with 'actorcontractivity mnist certify'");
        RequireStabilisedFrom(baselineDirectory, baseline, stabilisedDirectory, stabilised);
        CheckResults(outDirectory);

        var split = LoadSplit(dataDirectory, baseline.Info.Split, baselineDirectory);
        var options = new RobustnessOptions(settings.Epsilons, settings.NoiseLevels, settings.PgdSteps, Seed: seed);
        var results = new List<ModelResult>();
        foreach (var (model, info) in new[] { baseline, stabilised })
        {
            output.WriteLine($"attack     {info.Name}: clean, FGSM and PGD-{settings.PgdSteps} at ε = "
                + $"{string.Join(", ", settings.Epsilons.Select(F))}, noise at σ = "
                + $"{string.Join(", ", settings.NoiseLevels.Select(F))} on {split.Test.Count} test digits");
            var robustness = Robustness.Evaluate(model, split.Test, options);
            var bound = CertifiedBound(model, info);
            var largest = Math.Max(robustness.AllPairs.Max, robustness.Jacobian.Max);
            var holds = bound is { } b ? largest <= b : (bool?)null;
            output.WriteLine($"           clean {Percent(robustness.CleanAccuracy)}; largest contraction ratio "
                + $"{F(robustness.AllPairs.Max)} over {robustness.AllPairs.Pairs} pairs, largest ‖J‖₂ "
                + $"{F(robustness.Jacobian.Max)}"
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
        var direction = RobustnessOptions.Direction;
        var report = new MnistResults(MnistResults.FormatName, baseline.Info.Split,
            new AttackReportSettings(settings.Epsilons, settings.NoiseLevels, settings.PgdSteps, options.PgdStepFactor,
                direction.RelativeTolerance, direction.MaxProducts, RobustnessOptions.DirectionStep, seed),
            results, times);
        OutputFile.WriteAll([
            (Path.Combine(outDirectory, ResultsJson), Utf8.GetBytes(JsonSerializer.Serialize(report,
                ReportWriter.Options))),
            (Path.Combine(outDirectory, ResultsMarkdown), Utf8.GetBytes(ResultsTable.Markdown(report))),
            (Path.Combine(outDirectory, ResultsPlot), AccuracyPlot.Png(report)),
        ]);
        output.WriteLine($"results    {Path.Combine(outDirectory, ResultsMarkdown)}, {ResultsJson}, {ResultsPlot}");
        return report;
    }

    /// <summary>Refuses a directory where a result file goes, before anything is computed.</summary>
    private static void CheckResults(string outDirectory)
    {
        foreach (var file in new[] { ResultsJson, ResultsMarkdown, ResultsPlot })
        {
            OutputFile.RequireWritable(Path.Combine(outDirectory, file));
        }
    }

    /// <summary>Refuses a model whose A has changed since it was certified: its certificate is stale.</summary>
    private static void RequireCurrentCertificate(
        string directory, (OdeClassifier Model, ModelInfo Info) model, string remedy)
    {
        if (model.Info.Certificate is { } certificate
            && ModelDirectory.WeightsHash(model.Model) != certificate.WeightsSha256)
        {
            throw new InputException($"{Path.Combine(directory, ModelDirectory.WeightsFile)}: A has changed since it "
                + $"was certified (its SHA-256 is not the certificate's), so the certificate is stale; {remedy}");
        }
    }

    /// <summary>
    /// Refuses a stabilised model that is not the complete, certified result of stabilising this baseline: one an
    /// interrupted or failed run of an earlier version left, one made from an earlier baseline, or one whose A or
    /// activation no longer match its certificate.
    /// </summary>
    private static void RequireStabilisedFrom(
        string baselineDirectory, (OdeClassifier Model, ModelInfo Info) baseline, string stabilisedDirectory,
        (OdeClassifier Model, ModelInfo Info) stabilised)
    {
        const string again = "stabilise the baseline again";
        var info = stabilised.Info;
        if (info.Split != baseline.Info.Split)
        {
            throw new InputException($"{stabilisedDirectory}: was trained on another split than {baselineDirectory}; "
                + again);
        }

        var incomplete = info.Certificate switch
        {
            null => "it has no certificate",
            { Feasible: false } => "its certificate proves no slope interval",
            _ when info.Training.Count == 0 || info.Training[^1].Phase != FineTune => "its fine-tune never ran",
            _ => null,
        };
        if (incomplete is not null)
        {
            throw new InputException($"{stabilisedDirectory}: is not a finished stabilised model: {incomplete} (an "
                + $"interrupted or failed 'mnist stabilise' leaves such a model); {again}");
        }

        if (info.BaselineSha256 != ModelDirectory.ParametersHash(baseline.Model))
        {
            throw new InputException($"{stabilisedDirectory}: "
                + (info.BaselineSha256 is null
                    ? "does not record the baseline it was stabilised from"
                    : $"was stabilised from another baseline than the one in {baselineDirectory} (trained again "
                        + "since)")
                + $"; {again}");
        }

        RequireCurrentCertificate(stabilisedDirectory, stabilised, again);
        if (stabilised.Model.Activation.Slope < info.Certificate!.Slope)
        {
            throw new InputException($"{Path.Combine(stabilisedDirectory, ModelDirectory.Info)}: slope: "
                + $"ℓ = {F(info.Slope)} lies below the certified {F(info.Certificate.Slope!.Value)}; {again}");
        }
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
