using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The seeded split a model was trained on; later steps draw the same one.</summary>
/// <param name="Source">Where the digits came from.</param>
/// <param name="Pool">Digits in the pool (the IDX training files, or all npm digits).</param>
/// <param name="TestPool">Digits in the separate test pool (IDX t10k files), or null.</param>
/// <param name="TrainSize">Training digits.</param>
/// <param name="TestSize">Test digits.</param>
/// <param name="Seed">Seed of the split.</param>
internal sealed record SplitInfo(string Source, int Pool, int? TestPool, int TrainSize, int TestSize, int Seed);

/// <summary>One training phase of a model.</summary>
internal sealed record PhaseInfo(
    string Phase, int Epochs, double LearningRate, double Slope, string Trained, double TestAccuracy, double Seconds);

/// <summary>
/// What certification proved about A for the Euler steps the model takes (see
/// <see cref="NeuralOde.Stabilise.EulerContraction"/>): μ₂(DA) ≤ <paramref name="FlowBound"/> for every D in
/// [<paramref name="Slope"/>, 1]ⁿ, hence distances grow by at most e^{cT} over [0, T].
/// </summary>
internal sealed record CertificateInfo(
    double C,
    double StepSize,
    double SpectralNormBound,
    double FlowBound,
    bool Feasible,
    double? Slope,
    string Status,
    double[]? Bracket,
    double LogNormAtIdentity,
    string WeightsSha256,
    string Report);

/// <summary>The <c>ode.json</c> of a model directory.</summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Name">baseline or stabilised.</param>
/// <param name="Shape">The model's sizes.</param>
/// <param name="Slope">ℓ of σ_ℓ (0: tanh).</param>
/// <param name="Split">The split it was trained on.</param>
/// <param name="Training">The training phases, in order.</param>
/// <param name="Certificate">What certification proved about its A, or null.</param>
/// <param name="BaselineSha256">For a stabilised model, <see cref="ModelDirectory.ParametersHash"/> of the baseline
/// it was stabilised from; null for a baseline.</param>
internal sealed record ModelInfo(
    string Format,
    string Name,
    OdeShape Shape,
    double Slope,
    SplitInfo Split,
    IReadOnlyList<PhaseInfo> Training,
    CertificateInfo? Certificate,
    string? BaselineSha256)
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "actorcontractivity/mnist-model/v1";
}

/// <summary>
/// A trained classifier on disk: each parameter block as a float64 <c>.npy</c> file (biases as columns),
/// <c>model.json</c>, the manifest <c>certify</c> reads (one sample, one layer: <c>A.npy</c>), and <c>ode.json</c>
/// with the shape, the activation, the data split, the training history and the certificate.
/// </summary>
internal static class ModelDirectory
{
    /// <summary>The manifest of A.</summary>
    public const string Manifest = "model.json";

    /// <summary>The description of the model.</summary>
    public const string Info = "ode.json";

    /// <summary>The report of the last certification.</summary>
    public const string CertifyReport = "certify.json";

    /// <summary>The file holding A.</summary>
    public const string WeightsFile = "A.npy";

    private static readonly Dictionary<ParameterGroup, string> Files = new()
    {
        [ParameterGroup.Embedding] = "embedding.npy",
        [ParameterGroup.EmbeddingBias] = "embedding-bias.npy",
        [ParameterGroup.Weights] = WeightsFile,
        [ParameterGroup.Bias] = "b.npy",
        [ParameterGroup.Readout] = "readout.npy",
        [ParameterGroup.ReadoutBias] = "readout-bias.npy",
    };

    /// <summary>Writes every file of the model into <paramref name="directory"/>, creating it.</summary>
    public static void Save(string directory, OdeClassifier model, ModelInfo info)
    {
        Directory.CreateDirectory(directory);
        foreach (var (group, file) in Files)
        {
            var (rows, cols) = model.Shape.BlockShape(group);
            OutputFile.Write(Path.Combine(directory, file), NpyWriter.Float64(model.Block(group), rows, cols));
        }

        var sample = new { t = 0.0, layers = new[] { WeightsFile } };
        var manifest = new { format = "actorcontractivity/v1", samples = new[] { sample } };
        ReportWriter.WriteAtomically(Path.Combine(directory, Manifest), manifest);
        SaveInfo(directory, info);
    }

    /// <summary>Rewrites <c>ode.json</c>.</summary>
    public static void SaveInfo(string directory, ModelInfo info) =>
        ReportWriter.WriteAtomically(Path.Combine(directory, Info), info);

    /// <summary>
    /// Loads the description and the parameters; <paramref name="remedy"/> says how to make the model when its
    /// directory does not exist.
    /// </summary>
    /// <exception cref="InputException">A file is missing or does not fit the description.</exception>
    public static (OdeClassifier Model, ModelInfo Info) Load(string directory, string remedy)
    {
        var info = LoadInfo(directory, remedy);
        var parameters = new double[info.Shape.ParameterCount];
        foreach (var (group, file) in Files)
        {
            var path = Path.Combine(directory, file);
            var matrix = NpyReader.Read(path);
            var (rows, cols) = info.Shape.BlockShape(group);
            if (matrix.Rows != rows || matrix.Cols != cols)
            {
                throw new InputException($"{path}: shape {matrix.Rows}×{matrix.Cols}, but {Info} describes a "
                    + $"{rows}×{cols} block (n = {info.Shape.Dimension}, {info.Shape.Inputs} inputs, "
                    + $"{info.Shape.Classes} classes)");
            }

            matrix.RowMajorValues.CopyTo(parameters.AsSpan(info.Shape.Offset(group)));
        }

        return (new OdeClassifier(info.Shape, Activation.WithSlope(info.Slope), parameters), info);
    }

    /// <summary>Loads and checks <c>ode.json</c>.</summary>
    private static ModelInfo LoadInfo(string directory, string remedy)
    {
        var path = Path.Combine(directory, Info);
        if (!Directory.Exists(directory))
        {
            throw new InputException(File.Exists(directory)
                ? $"{directory}: is a file, not a model directory ({remedy})"
                : $"{directory}: model directory not found ({remedy})");
        }

        InputFile.RequireFile(path, path);
        ModelInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ModelInfo>(File.ReadAllText(path), ReportWriter.Options);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a model description: {InputFile.OneLine(e.Message)}");
        }

        if (info is null || info.Format != ModelInfo.FormatName || info.Shape is null || info.Split is null)
        {
            throw new InputException($"{path}: format: expected \"{ModelInfo.FormatName}\" with shape and split");
        }

        if (info.Shape.Problem() is { } problem)
        {
            throw new InputException($"{path}: shape: {problem}");
        }

        if (info.Slope is < 0 or > 1 || double.IsNaN(info.Slope))
        {
            throw new InputException($"{path}: slope: the activation's lowest slope must lie in [0, 1], "
                + $"got {info.Slope}");
        }

        return info;
    }

    /// <summary>SHA-256 of A's values, binding a certificate to the weights it proved.</summary>
    public static string WeightsHash(OdeClassifier model) => Hash(model.Block(ParameterGroup.Weights));

    /// <summary>SHA-256 of every parameter, binding a stabilised model to the baseline it came from.</summary>
    public static string ParametersHash(OdeClassifier model) => Hash(model.Parameters);

    private static string Hash(ReadOnlySpan<double> values) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values)));
}
