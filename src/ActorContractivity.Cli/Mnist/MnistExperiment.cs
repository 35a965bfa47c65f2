using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorContractivity.Cli.Certify;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.Core.Outer;
using ActorContractivity.NeuralOde.Datasets;
using ActorContractivity.NeuralOde.Model;
using ActorContractivity.NeuralOde.Stabilise;
using ActorContractivity.NeuralOde.Training;

namespace ActorContractivity.Cli.Mnist;

/// <summary>
/// The steps of the MNIST experiment: train the baseline, certify a model's A for the Euler steps it takes, stabilise
/// (the log-norm penalty of DESIGN §1.7 until a slope interval exists, then σ_ℓ with ℓ from the certificate and a
/// fine-tune that keeps A), and attack both. The options are checked when they are parsed; every step checks its
/// files before it computes anything, and writes a model or the results whole or not at all.
/// </summary>
internal sealed partial class MnistExperiment(TextWriter output, TextWriter error)
{
    /// <summary>The baseline's directory inside the experiment directory.</summary>
    public const string Baseline = "baseline";

    /// <summary>The stabilised model's directory inside the experiment directory.</summary>
    public const string Stabilised = "stabilised";

    /// <summary>Optimiser steps between the penalty's searches for a new worst slope pattern.</summary>
    public const int PenaltyRefresh = 25;

    /// <summary>The name of the last training phase of a stabilised model.</summary>
    public const string FineTune = "fine-tune";

    /// <summary>How to make a baseline that is missing.</summary>
    public const string TrainRemedy = "train one with 'actorcontractivity mnist train'";

    /// <summary>How to make a stabilised model that is missing.</summary>
    public const string StabiliseRemedy = "stabilise the baseline with 'actorcontractivity mnist stabilise'";

    /// <summary>UTF-8 without a byte-order mark, for the files written.</summary>
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Trains the baseline (σ = tanh) into <c>OUT/baseline</c>; returns its test accuracy.</summary>
    public double Train(DataSettings data, TrainSettings settings, string outDirectory)
    {
        StagedDirectory.Check(outDirectory, Baseline);
        var (split, splitInfo) = LoadSplit(data);
        using var staged = StagedDirectory.Create(outDirectory, Baseline);
        output.WriteLine($"data       {splitInfo.Source}: {splitInfo.Pool} digits"
            + (splitInfo.TestPool is { } testPool ? $" and {testPool} test digits" : "")
            + $"; split seed {data.Seed}: {split.Train.Count} for training, {split.Test.Count} for testing");

        var shape = new OdeShape(
            DigitSet.PixelCount, settings.Dimension, DigitSet.Classes, settings.Time, settings.Steps);
        output.WriteLine($"model      u0 = E x + e, u' = tanh(A u + b) on [0, {F(shape.Time)}] by {shape.Steps} Euler "
            + $"steps (h = {F(shape.StepSize)}), n = {shape.Dimension}, logits R u(T) + r");
        var model = OdeClassifier.Initialise(shape, Activation.Tanh, data.Seed);
        var phase = RunPhase("baseline", model, split, settings.Epochs, settings.LearningRate, settings.BatchSize,
            settings.Shift, data.Seed, frozen: [], extra: null);
        ModelDirectory.Save(staged.Staging, model,
            new ModelInfo(ModelInfo.FormatName, Baseline, shape, 0, splitInfo, [phase], null, null));
        staged.Commit();
        output.WriteLine($"saved      {staged.Target} (test accuracy {Percent(phase.TestAccuracy)})");
        return phase.TestAccuracy;
    }

    /// <summary>
    /// Certifies the A of a model directory through <c>certify</c> itself: for Euler steps of size h contracting at
    /// rate c it asks for μ₂(DA) ≤ c′ (see <see cref="EulerContraction"/>), writes <c>certify.json</c> and
    /// records the certificate in <c>ode.json</c>. Returns certify's exit code and the certificate. When no interval
    /// exists it prints <paramref name="remedy"/>, by default the stabilisation.
    /// </summary>
    public (int ExitCode, CertificateInfo? Certificate) Certify(
        string directory, CertifySettings settings, int seed, string? remedy = null)
    {
        var (model, info) = ModelDirectory.Load(directory, TrainRemedy);
        var n = model.Shape.Dimension;
        var h = model.Shape.StepSize;
        var weights = model.Block(ParameterGroup.Weights);
        var beta = EulerContraction.SpectralNormBound(weights, n);
        var flowBound = EulerContraction.FlowBound(settings.C, h, beta);
        output.WriteLine($"euler      h = {F(h)}, ‖A‖₂ ≤ β = {F(beta)}: each step grows distances by at most "
            + $"e^(hc) (c = {F(settings.C)}) for every D in [ℓ, 1]^n where μ₂(DA) ≤ "
            + $"c' = (e^(2hc) − 1 − h²β²)/(2h) = {F(flowBound)}; certifying that");

        var report = Path.Combine(directory, ModelDirectory.CertifyReport);
        var request = new CertifyRequest(Path.Combine(directory, ModelDirectory.Manifest),
            new IntervalQuestion(C: flowBound), settings.Starts, seed, report,
            new CertifyOptions(CertifyMode.Auto, settings.Budget));
        var code = CertifyCommand.Run(request, output, error);
        if (code == CliApplication.BadInput)
        {
            return (code, null);
        }

        var certificate = ReadCertificate(report, settings.C, h, beta, flowBound, ModelDirectory.WeightsHash(model));
        ModelDirectory.SaveInfo(directory, info with { Certificate = certificate });
        if (!certificate.Feasible)
        {
            output.WriteLine("remedy     no activation helps this A "
                + $"(μ₂(A) = {F(certificate.LogNormAtIdentity)} > c'): "
                + (remedy ?? "'actorcontractivity mnist stabilise' fine-tunes it with a penalty on the worst-case "
                    + "log-norm until an interval exists"));
        }

        return (code, certificate);
    }

    /// <summary>
    /// Stabilises the baseline of <paramref name="outDirectory"/> into <c>OUT/stabilised</c>. Returns 0, or 1 when no
    /// interval exists after the last round of the penalty; then, as on any failure, nothing is written and an
    /// earlier <c>OUT/stabilised</c> is kept.
    /// </summary>
    public int Stabilise(
        string dataDirectory, string outDirectory, StabiliseSettings settings, CertifySettings certify,
        int batchSize, int shift, int seed)
    {
        var baselineDirectory = Path.Combine(outDirectory, Baseline);
        var (baseline, info) = ModelDirectory.Load(baselineDirectory, TrainRemedy);
        StagedDirectory.Check(outDirectory, Stabilised);
        var split = LoadSplit(dataDirectory, info.Split, baselineDirectory);
        using var staged = StagedDirectory.Create(outDirectory, Stabilised);

        var shape = baseline.Shape;
        var baselineHash = ModelDirectory.ParametersHash(baseline);
        var model = baseline.With(Activation.WithSlope(settings.TargetSlope));
        var phases = info.Training.ToList();
        var rounds = Penalise(model, split, settings, certify.C, batchSize, shift, seed, phases);
        ModelDirectory.Save(staged.Staging, model, new ModelInfo(ModelInfo.FormatName, Stabilised, shape,
            settings.TargetSlope, info.Split, phases, null, baselineHash));
        var remedy = $"{rounds} penalty round(s) of {settings.PenaltyEpochs} epoch(s) did not bring it below c', so "
            + $"nothing was saved ({staged.Target} is as it was); raise --penalty-rounds or --penalty-epochs, "
            + $"--penalty-weight (now {F(settings.PenaltyWeight)}) or --margin (now {F(settings.Margin)}), or try "
            + $"another --target-slope (now {F(settings.TargetSlope)})";
        var (code, certificate) = Certify(staged.Staging, certify, seed, remedy);
        if (code != CliApplication.Found || certificate?.Slope is not { } slope)
        {
            return code;
        }

        var stabilised = model.With(Activation.WithSlope(slope));
        phases.Add(RunPhase(FineTune, stabilised, split, settings.FinetuneEpochs, settings.FinetuneLearningRate,
            batchSize, shift, seed + 1000, frozen: [ParameterGroup.Weights], extra: null));
        if (ModelDirectory.WeightsHash(stabilised) != certificate.WeightsSha256)
        {
            throw new InvalidOperationException("the fine-tune changed A, which it must keep");
        }

        ModelDirectory.Save(staged.Staging, stabilised, new ModelInfo(ModelInfo.FormatName, Stabilised, shape, slope,
            info.Split, phases, certificate, baselineHash));
        NameReportModel(staged);
        staged.Commit();
        output.WriteLine($"saved      {staged.Target}: σ(x) = ℓx + (1 − ℓ)tanh(x) with ℓ = {F(slope)} "
            + $"(certificate {certificate.Status}), test accuracy {Percent(phases[^1].TestAccuracy)}");
        return CliApplication.Found;
    }

    /// <summary>
    /// Refuses, before anything is computed, an experiment directory in which <c>all</c> could not write: a file
    /// where a model directory goes, or a directory where a result file goes.
    /// </summary>
    public static void CheckOutput(string outDirectory)
    {
        StagedDirectory.Check(outDirectory, Baseline);
        StagedDirectory.Check(outDirectory, Stabilised);
        CheckResults(outDirectory);
    }

    /// <summary>Loads the data directory and draws the split the options ask for.</summary>
    public static (DigitSplit Split, SplitInfo Info) LoadSplit(DataSettings data)
    {
        var pools = MnistDirectory.Load(data.Directory);
        var split = MnistDirectory.Split(pools, data.TrainSize, data.TestSize, data.Seed);
        return (split, new SplitInfo(pools.Source, pools.Pool.Count, pools.TestPool?.Count, data.TrainSize,
            data.TestSize, data.Seed));
    }

    /// <summary>Draws again the split a model was trained on, refusing data that is not the same pool.</summary>
    public static DigitSplit LoadSplit(string dataDirectory, SplitInfo recorded, string modelDirectory)
    {
        var pools = MnistDirectory.Load(dataDirectory);
        if (pools.Pool.Count != recorded.Pool || pools.TestPool?.Count != recorded.TestPool)
        {
            throw new DatasetException($"{dataDirectory}: holds {pools.Pool.Count} digits"
                + (pools.TestPool is { } t ? $" and {t.Count} test digits" : "") + $", but {modelDirectory} was "
                + $"trained on a split of {recorded.Source}; give --data of that model");
        }

        return MnistDirectory.Split(pools, recorded.TrainSize, recorded.TestSize, recorded.Seed);
    }

    /// <summary>
    /// Trains <paramref name="model"/> (σ with slopes in [ℓ_target, 1]) under the log-norm penalty, a round at a
    /// time, as long as it is positive at the start and then until a slope interval exists; returns the rounds run.
    /// </summary>
    private int Penalise(
        OdeClassifier model, DigitSplit split, StabiliseSettings settings, double c, int batchSize, int shift,
        int seed, List<PhaseInfo> phases)
    {
        var shape = model.Shape;
        var options = new PenaltyOptions(settings.TargetSlope, c, settings.PenaltyWeight, settings.Margin,
            PenaltyRefresh, seed);
        var penalty = new LogNormPenalty(shape, options);
        var start = LogNormPenalty.Evaluate(model.Block(ParameterGroup.Weights), shape.Dimension, penalty.Witnesses,
            shape.StepSize, options).Value;
        var rounds = 0;
        while (rounds < settings.PenaltyRounds && (rounds == 0 ? start > 0 : !IntervalExists(model, c)))
        {
            rounds++;
            output.WriteLine($"penalty    round {rounds}: (ρ/2)·Σ max(0, λ_k(Sym(DA)) + (h/2)‖A‖₂² "
                + $"− c_h + {F(settings.Margin)})² over D = I, {F(settings.TargetSlope)}·I and the worst "
                + $"vertices of [{F(settings.TargetSlope)}, 1]^n, ρ = {F(settings.PenaltyWeight)}, σ with slopes in "
                + $"[{F(settings.TargetSlope)}, 1]");
            phases.Add(RunPhase($"penalty round {rounds}", model, split, settings.PenaltyEpochs,
                settings.PenaltyLearningRate, batchSize, shift, seed + rounds, frozen: [], penalty));
        }

        return rounds;
    }

    /// <summary>True when an interval exists for A at all: μ₂(A) ≤ c′ at D = I (one dense eigenvalue).</summary>
    private static bool IntervalExists(OdeClassifier model, double c)
    {
        var n = model.Shape.Dimension;
        var weights = model.Block(ParameterGroup.Weights);
        var bound = EulerContraction.FlowBound(c, model.Shape.StepSize, EulerContraction.SpectralNormBound(weights, n));
        return LogNormPenalty.TopEigenpair(weights, n, Enumerable.Repeat(1.0, n).ToArray()).Value <= bound;
    }

    private PhaseInfo RunPhase(
        string name, OdeClassifier model, DigitSplit split, int epochs, double learningRate, int batchSize, int shift,
        int seed, HashSet<ParameterGroup> frozen, ILossTerm? extra)
    {
        var clock = Stopwatch.StartNew();
        var options = new TrainingOptions(epochs, batchSize, learningRate, seed, shift)
        {
            Frozen = frozen,
            Extra = extra,
        };
        var reports = Trainer.Train(model, split.Train, split.Test, options, r => output.WriteLine(
            $"{name,-10} epoch {r.Epoch,3}/{epochs}  loss {r.Loss:F4}"
            + (extra is null ? "" : $"  penalty {r.Extra:G4}")
            + $"  train {Percent(r.TrainAccuracy)}  test {Percent(r.TestAccuracy!.Value)}  {r.Seconds:F1} s"));
        var accuracy = reports.Count > 0 ? reports[^1].TestAccuracy!.Value : Accuracy.Of(model, split.Test);
        var trained = frozen.Count == 0 ? "all parameters" : "all but A";
        return new PhaseInfo(name, epochs, learningRate, model.Activation.Slope, trained, accuracy,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>The certification report names the model where it will live, not the staging directory.</summary>
    private static void NameReportModel(StagedDirectory staged)
    {
        var path = Path.Combine(staged.Staging, ModelDirectory.CertifyReport);
        var report = JsonNode.Parse(File.ReadAllText(path))!;
        report["model"]!["path"] = Path.Combine(staged.Target, ModelDirectory.Manifest);
        OutputFile.Write(path, Utf8.GetBytes(report.ToJsonString(ReportWriter.Options)));
    }

    private static CertificateInfo ReadCertificate(
        string report, double c, double h, double beta, double flowBound, string hash)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(report));
        var root = document.RootElement;
        var feasible = root.GetProperty("feasible").GetBoolean();
        double? lower = root.GetProperty("lower").ValueKind == JsonValueKind.Number
            ? root.GetProperty("lower").GetDouble()
            : null;
        var bracket = root.GetProperty("bracket").ValueKind == JsonValueKind.Array
            ? root.GetProperty("bracket").EnumerateArray().Select(v => v.GetDouble()).ToArray()
            : null;
        return new CertificateInfo(c, h, beta, flowBound, feasible, lower,
            feasible ? root.GetProperty("status").GetString()! : "no interval", bracket,
            Number(root.GetProperty("logNormAtFixed")), hash, ModelDirectory.CertifyReport);
    }

    /// <summary>A number of a report; the report writes a number that is not finite as null.</summary>
    private static double Number(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble() : double.NaN;

    /// <summary>A number as it reads in the summaries.</summary>
    public static string F(double value) => (value + 0.0).ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>A share as a percentage with two decimals.</summary>
    public static string Percent(double share) => (100 * share).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
