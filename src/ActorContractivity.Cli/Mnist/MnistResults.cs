using ActorContractivity.NeuralOde.Attacks;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The settings of the attacks, as reported.</summary>
internal sealed record AttackReportSettings(
    IReadOnlyList<double> Epsilons,
    IReadOnlyList<double> NoiseLevels,
    int PgdSteps,
    double PgdStepFactor,
    int PowerIterations,
    double DirectionStep,
    int Seed);

/// <summary>Everything measured for one model.</summary>
/// <param name="Name">baseline or stabilised.</param>
/// <param name="Slope">ℓ of σ_ℓ (0: tanh).</param>
/// <param name="Shape">The model's sizes.</param>
/// <param name="Certificate">What certification proved about its A, or null.</param>
/// <param name="ContractionBound">e^{cT} when the certificate covers the model's activation and weights, else
/// null.</param>
/// <param name="BoundHolds">Whether every measured ratio stayed within the bound (null without one).</param>
/// <param name="Robustness">Accuracies and contraction ratios.</param>
/// <param name="Training">The training phases.</param>
internal sealed record ModelResult(
    string Name,
    double Slope,
    OdeShape Shape,
    CertificateInfo? Certificate,
    double? ContractionBound,
    bool? BoundHolds,
    RobustnessReport Robustness,
    IReadOnlyList<PhaseInfo> Training);

/// <summary><c>results.json</c>: the numbers behind the table and the plot.</summary>
internal sealed record MnistResults(
    string Format,
    SplitInfo Split,
    AttackReportSettings Attacks,
    IReadOnlyList<ModelResult> Models,
    IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "actorcontractivity/mnist-results/v1";
}
