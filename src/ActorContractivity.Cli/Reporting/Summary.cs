using System.Globalization;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cli.Reporting;

/// <summary>The human-readable summary of <c>certify</c>.</summary>
public static class Summary
{
    /// <summary>Writes the summary lines.</summary>
    public static void Write(TextWriter output, CertifyReport report, IntervalAnswer answer)
    {
        var mu = MuName(report);
        var lowerName = report.Tune == "lower" ? "ℓ" : "ℓ (fixed)";
        output.WriteLine($"model      {report.Model.Path}: {Plural(report.Model.Samples, "sample")}, "
            + $"up to {Plural(report.Model.MaxLayers, "layer")}, n = {report.Model.Dimension}");
        output.WriteLine($"question   {Question(report, mu)}");
        if (!report.Feasible)
        {
            output.WriteLine($"answer     no interval exists: {mu} = {F(report.LogNormAtFixed)} > c = {F(report.C)} "
                + $"already at D = {F(report.Fixed)}·I (sample {report.WorstCase.Sample})");
            output.WriteLine("           the weights themselves must change; no choice of activation slopes helps");
        }
        else
        {
            output.WriteLine($"answer     slopes in [{F(report.Lower!.Value)}, {F(report.Upper!.Value)}]  "
                + $"({lowerName} = {F(report.Lower.Value)}, status: {report.Status})");
            output.WriteLine($"           {Meaning(report, answer)}");
            var (boxLower, boxUpper) = WitnessBox(report);
            output.WriteLine($"worst case {mu} = {F(report.WorstCase.LogNorm)} over [{F(boxLower)}, {F(boxUpper)}] "
                + $"at sample {report.WorstCase.Sample} (t = {F(report.WorstCase.Time)}); {Pattern(report)}");
        }

        output.WriteLine($"obtained   {report.Method}; {Plural(report.OuterIterations.Count, "outer step")}, "
            + $"{Plural(report.Work.EigenSolves, "evaluation")} of the worst case, "
            + $"{Plural(report.Work.VerticesEnumerated, "vertex", "vertices")} enumerated");
        output.WriteLine($"time       {report.Seconds.ToString("0.000", CultureInfo.InvariantCulture)} s");
    }

    private static string Question(CertifyReport report, string mu)
    {
        var step = report.Discrete is { } h ? $" for the Euler step h = {F(h)}" : "";
        var condition = report.Discrete is null ? $"{mu}(D·J) ≤ c = {F(report.C)}" : $"{mu} ≤ c = {F(report.C)}";
        var range = report.Tune == "lower"
            ? $"smallest ℓ in [{F(report.Settings.SearchLimit)}, {F(report.Fixed)}] with {condition} "
              + $"for every diagonal D with slopes in [ℓ, {F(report.Fixed)}]"
            : $"largest u in [{F(report.Fixed)}, {F(report.Settings.SearchLimit)}] with {condition} "
              + $"for every diagonal D with slopes in [{F(report.Fixed)}, u]";
        return range + step;
    }

    private static string Meaning(CertifyReport report, IntervalAnswer answer)
    {
        var interval = $"[{F(report.Lower!.Value)}, {F(report.Upper!.Value)}]";
        var limit = report.ReachedLimit ? " (the whole search range)" : "";
        var witnessEnd = report.Bracket![0];
        var end = report.Tune == "lower" ? "ℓ" : "u";
        var side = report.Tune == "lower" ? "below" : "above";
        return answer.Status switch
        {
            CertificateStatus.Exact when answer.BranchAndBound is { Violations: 0 } search =>
                $"proven: contractive for every slope pattern in {interval}{limit}; branch and bound checked all "
                + $"of them ({Plural(search.Nodes, "node")})",
            CertificateStatus.Exact when answer.BranchAndBound is { } search =>
                $"proven: contractive for every slope pattern in {interval}{limit}; branch and bound found "
                + $"patterns the gradient search missed and settled the end exactly ({Plural(search.Nodes, "node")})",
            CertificateStatus.Exact when answer.Certificate is not null =>
                $"proven: contractive for every slope pattern in {interval}{limit}; the bound's proof meets "
                + "the witness",
            CertificateStatus.Exact =>
                $"proven: contractive for every slope pattern in {interval}{limit}",
            CertificateStatus.Bracket =>
                $"proven: contractive for every slope pattern in {interval}; a slope pattern with {end} just {side} "
                + $"{F(witnessEnd)} breaks it, so the best {end} lies in [{F(report.Bracket.Min())}, "
                + $"{F(report.Bracket.Max())}]"
                + (answer.Certificate is { } proof && proof.SafeEnd != answer.BracketHigh
                    ? $"; branch and bound proved {end} = {F(answer.BracketHigh!.Value)}, the bound alone "
                      + $"{end} = {F(proof.SafeEnd)}"
                    : "")
                + (answer.BranchAndBound is { Complete: false } search ? $"; {OutOfBudget(search)}" : ""),
            _ when answer.BranchAndBound is { Complete: false } search =>
                $"estimate: the search found no breaking slope pattern in {interval}{limit}; {OutOfBudget(search)}",
            _ => $"estimate: the search found no breaking slope pattern in {interval}{limit}, but did not prove "
                 + "that none exists; a local search can miss the worst pattern",
        };
    }

    /// <summary>How far branch and bound got before its budget ran out.</summary>
    private static string OutOfBudget(BranchAndBoundSummary search) =>
        search.Decisions == 0
            ? "no budget was left for branch and bound"
            : $"branch and bound's budget ran out after {Plural(search.Decisions, "decision")} "
              + $"({Plural(search.Nodes, "node")})"
              + (search.ClosedFraction < 1
                  ? $", with {F(100 * search.ClosedFraction)}% of the patterns of its last box checked"
                  : "");

    private static string Pattern(CertifyReport report)
    {
        // The witness lives in the box of the witness end, which differs from the reported one under a bracket.
        var (lower, upper) = WitnessBox(report);
        var parts = report.WorstCase.Diagonals.Select((d, j) =>
        {
            if (lower == upper)
            {
                return $"layer {j + 1}: all {d.Length} slopes at ℓ = u";
            }

            var atLower = d.Count(v => v == lower);
            var atUpper = d.Count(v => v == upper);
            var inside = d.Length - atLower - atUpper;
            var text = $"layer {j + 1}: {atLower} of {d.Length} slopes at ℓ, {atUpper} at u";
            return inside > 0 ? text + $", {inside} inside" : text;
        });
        return string.Join("; ", parts);
    }

    /// <summary>The box of the witness end, where the worst pattern reported was found.</summary>
    private static (double Lower, double Upper) WitnessBox(CertifyReport report) =>
        report.Tune == "lower" ? (report.Bracket![0], report.Fixed) : (report.Fixed, report.Bracket![0]);

    private static string MuName(CertifyReport report) => report.Discrete is not null
        ? report.Norm switch { "1" => "ln‖I+hDJ‖₁/h", "inf" => "ln‖I+hDJ‖∞/h", _ => "ln‖I+hDJ‖₂/h" }
        : report.Norm switch { "1" => "μ₁", "inf" => "μ∞", _ => "μ₂" };

    private static string Plural(long count, string noun, string? plural = null) =>
        count == 1 ? $"1 {noun}" : $"{count} {plural ?? noun + "s"}";

    // Adding 0.0 turns −0 into +0, which reads better and means the same.
    private static string F(double value) => (value + 0.0).ToString("G10", CultureInfo.InvariantCulture);
}
