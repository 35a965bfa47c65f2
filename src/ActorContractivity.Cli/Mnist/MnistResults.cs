using ActorContractivity.NeuralOde.Attacks;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.Cli.Mnist;

/// <summary>The settings of the attacks, as reported.</summary>
/// <param name="Epsilons">ℓ∞ budgets of FGSM and PGD.</param>
/// <param name="NoiseLevels">Standard deviations of the Gaussian pixel noise.</param>
/// <param name="PgdSteps">Steps of PGD.</param>
/// <param name="PgdStepFactor">PGD's step is this times ε / steps.</param>
/// <param name="DirectionTolerance">The most expanded direction is the top eigenvector of JᵀJ found by Lanczos to
/// this relative residual…</param>
/// <param name="DirectionMaxProducts">…or within this many products with JᵀJ.</param>
/// <param name="DirectionStep">Relative size of the state perturbation along that direction.</param>
/// <param name="Seed">Seed of the attacks.</param>
internal sealed record AttackReportSettings(
    IReadOnlyList<double> Epsilons,
    IReadOnlyList<double> NoiseLevels,
    int PgdSteps,
    double PgdStepFactor,
    double DirectionTolerance,
    int DirectionMaxProducts,
    double DirectionStep,
    int Seed);

/// <summary>Everything measured for one model.</summary>
/// <param name="Name">baseline or stabilised.</param>
/// <param name="Slope">ℓ of σ_ℓ (0: tanh).</param>
/// <param name="Shape">The model's sizes.</param>
/// <param name="Certificate">What certification proved about its A, or null.</param>
/// <param name="ContractionBound">e^{cT} when the certificate covers the model's activation and weights, else
/// null.</param>
/// <param name="BoundHolds">Whether every measured ratio and every ‖J‖₂ stayed within the bound (null without
/// one).</param>
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
    public const string FormatName = "actorcontractivity/mnist-results/v2";
}
