using ActorContractivity.Cli.Certify;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Core.Norms;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cli.Reporting;

/// <summary>The JSON report of <c>certify</c>; field names are part of the command-line contract.</summary>
public sealed record CertifyReport(
    bool Feasible,
    double? Lower,
    double? Upper,
    string Status,
    double[]? Bracket,
    double C,
    string Norm,
    string Tune,
    double Fixed,
    double? Discrete,
    bool ReachedLimit,
    double LogNormAtFixed,
    WorstCaseReport WorstCase,
    IReadOnlyList<OuterIterationReport> OuterIterations,
    string Method,
    ModelReport Model,
    SettingsReport Settings,
    WorkReport Work,
    CertificateReport? Certificate,
    BranchAndBoundReport? BranchAndBound,
    double Seconds)
{
    /// <summary>Builds the report of an answer.</summary>
    public static CertifyReport From(
        CertifyRequest request, LoadedModel loaded, IntervalAnswer answer, TimeSpan elapsed)
    {
        var question = answer.Question;
        var witness = answer.Witness;
        var sample = loaded.Model.Samples[witness.SampleIndex];
        return new CertifyReport(
            answer.Feasible,
            answer.Lower,
            answer.Upper,
            StatusName(answer.Status),
            answer.BracketLow is { } low && answer.BracketHigh is { } high ? [low, high] : null,
            question.C,
            NormName(question.Norm),
            question.Tune == TunedEnd.Lower ? "lower" : "upper",
            question.Fixed,
            question.DiscreteStep,
            answer.ReachedLimit,
            answer.ValueAtFixed,
            new WorstCaseReport(witness.Value, witness.SampleIndex, sample.Time, witness.Residual, witness.Diagonals),
            answer.Steps.Select(s => new OuterIterationReport(s.Theta, s.Phi, s.Derivative, s.Rule)).ToArray(),
            answer.Method,
            new ModelReport(
                request.ModelPath,
                loaded.Model.Dimension,
                loaded.Model.Samples.Count,
                loaded.Model.Samples.Select(s => s.Layers.Count).Max(),
                loaded.Model.Samples.Select(s => s.DiagonalCount).Max()),
            new SettingsReport(request.Starts, request.Seed, question.Tolerance, question.FarEnd,
                request.Certify.Mode.ToString().ToLowerInvariant(),
                double.IsFinite(request.Certify.EffectiveBudget) ? request.Certify.EffectiveBudget : null,
                request.Certify.BudgetNodes),
            new WorkReport(answer.Counts.InnerSolves, answer.Counts.Evaluations, answer.Counts.Products,
                answer.Counts.Vertices, answer.Counts.GradientSteps),
            answer.Certificate is { } proof
                ? new CertificateReport("matrix cube bound, Cholesky-verified", proof.SafeEnd, proof.BoundValue,
                    proof.Bisections)
                : null,
            answer.BranchAndBound is { } search
                ? new BranchAndBoundReport(search.Decisions, search.Nodes, search.Complete, search.ClosedFraction,
                    search.Violations, search.Seconds)
                : null,
            elapsed.TotalSeconds);
    }

    /// <summary>"exact", "bracket" or "estimate".</summary>
    public static string StatusName(CertificateStatus status) => status switch
    {
        CertificateStatus.Exact => "exact",
        CertificateStatus.Bracket => "bracket",
        _ => "estimate",
    };

    /// <summary>"2", "1" or "inf".</summary>
    public static string NormName(LogNormKind norm) => norm switch
    {
        LogNormKind.Two => "2",
        LogNormKind.One => "1",
        _ => "inf",
    };
}

/// <summary>The worst slope pattern found for the reported interval (for no interval: D = fixed·I).</summary>
public sealed record WorstCaseReport(double LogNorm, int Sample, double Time, double Residual, double[][] Diagonals);

/// <summary>One outer iteration.</summary>
public sealed record OuterIterationReport(double Theta, double Phi, double Dphi, string Rule);

/// <summary>What was certified.</summary>
public sealed record ModelReport(string Path, int Dimension, int Samples, int MaxLayers, int MaxSlopesPerSample);

/// <summary>The search settings.</summary>
public sealed record SettingsReport(
    int Starts, int Seed, double Tolerance, double SearchLimit, string Certify, double? BudgetSeconds,
    long? BudgetNodes);

/// <summary>
/// The proof of the safe end: which bound, where, its value there, and the bound minimisations spent.
/// </summary>
public sealed record CertificateReport(string Method, double SafeEnd, double BoundValue, int BoundMinimisations);

/// <summary>
/// What branch and bound did: boxes decided, nodes, whether every decision finished, the share of the vertex tree
/// closed in the last decision, decisions that found a pattern worse than the gradient search's, and seconds.
/// </summary>
public sealed record BranchAndBoundReport(
    int Decisions, long Nodes, bool Complete, double ClosedFraction, int Violations, double Seconds);

/// <summary>Work spent.</summary>
public sealed record WorkReport(
    int InnerSolves, long EigenSolves, long JacobianProducts, long VerticesEnumerated, int GradientSteps);
