using System.Globalization;
using System.Text.RegularExpressions;
using ActorContractivity.Cli.Tests.Loading;
using static ActorContractivity.Cli.Tests.EndToEnd.Report;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>The human-readable summary <c>certify</c> prints on stdout.</summary>
public sealed partial class SummaryTests
{
    [Theory]
    [InlineData("one_layer_2")]
    [InlineData("time_dependent_0")]
    [InlineData("two_layer_0")]
    public void The_summary_of_a_feasible_run_names_the_interval_the_norm_the_worst_sample_and_the_time(string name)
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");
        var model = Path.Combine(TestPaths.Case(name), "model.json");

        // two_layer_0 is infeasible at c = 0 (μ₂ = 0.054 at D = I), so ask for c = 0.1 to get an interval.
        var result = Cli.Run("certify", model, "--c", name == "two_layer_0" ? "0.1" : KnownCase.Load(name).CText,
            "--json", json);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        using var report = Read(json);
        var root = report.RootElement;
        var lower = G10(Number(root, "lower"));
        var sample = Field(root, "worstCase", "sample").GetInt32();
        var time = G10(Number(root, "worstCase", "time"));
        var lines = result.OutputLines;

        Assert.StartsWith($"model      {model}: ", lines[0], StringComparison.Ordinal);
        var answer = Assert.Single(lines, l => l.StartsWith("answer ", StringComparison.Ordinal));
        Assert.Contains($"slopes in [{lower}, 1]", answer, StringComparison.Ordinal);
        Assert.Contains($"(ℓ = {lower}, status: exact)", answer, StringComparison.Ordinal);
        Assert.Contains($"proven: contractive for every slope pattern in [{lower}, 1]", result.Stdout,
            StringComparison.Ordinal);
        var worst = Assert.Single(lines, l => l.StartsWith("worst case ", StringComparison.Ordinal));
        Assert.Contains("μ₂", worst, StringComparison.Ordinal);
        Assert.Contains($"at sample {sample} (t = {time})", worst, StringComparison.Ordinal);
        Assert.Contains($"μ₂ = {G10(Number(root, "worstCase", "logNorm"))}", worst, StringComparison.Ordinal);
        Assert.Contains("μ₂(D·J) ≤ c", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(TimeLine(), lines[^1]);
        Assert.Equal(Number(root, "seconds").ToString("0.000", CultureInfo.InvariantCulture),
            TimeLine().Match(lines[^1]).Groups[1].Value);
    }

    [Fact]
    public void The_worst_sample_of_the_time_dependent_case_is_the_last_one_at_t_3()
    {
        var known = KnownCase.Load("time_dependent_0");

        var result = Cli.Run("certify", known.ModelPath, "--c", known.CText);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        Assert.Contains("4 samples", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("at sample 3 (t = 3)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_summary_of_an_infeasible_run_gives_the_norm_at_the_fixed_slope_and_the_time()
    {
        var known = KnownCase.Load("infeasible_0");

        var result = Cli.Run("certify", known.ModelPath, "--c", known.CText);

        Assert.True(result.ExitCode == CliApplication.NoInterval, result.ToString());
        var answer = Assert.Single(result.OutputLines, l => l.StartsWith("answer ", StringComparison.Ordinal));
        Assert.Contains($"no interval exists: μ₂ = {G10(known.Mu2AtIdentity)} > c = 0 already at D = 1·I", answer,
            StringComparison.Ordinal);
        Assert.Matches(TimeLine(), result.OutputLines[^1]);
    }

    [Fact]
    public void A_bracket_whose_safe_end_branch_and_bound_moved_names_both_proofs()
    {
        // 180 slopes: beyond the witness-end decision, so branch and bound steps down from the bound's safe end.
        using var temp = new TempDirectory();
        var (model, json) = (Path.Combine(temp.Path, "a.csv"), Path.Combine(temp.Path, "r.json"));
        var random = new Random(180);
        const int n = 180;
        File.WriteAllLines(model, Enumerable.Range(0, n).Select(i => string.Join(",", Enumerable.Range(0, n).Select(j =>
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var normal = radius * Math.Cos(2 * Math.PI * random.NextDouble());
            return (normal / Math.Sqrt(n) - (i == j ? 1.6 : 0)).ToString("R", CultureInfo.InvariantCulture);
        }))));

        var result = Cli.Run("certify", model, "--starts", "2", "--budget-nodes", "40", "--json", json);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        using var report = Read(json);
        var root = report.RootElement;
        Assert.Equal("bracket", Text(root, "status"));
        var (witnessEnd, safeEnd) = (Field(root, "bracket")[0].GetDouble(), Field(root, "bracket")[1].GetDouble());
        var boundEnd = Number(root, "certificate", "safeEnd");
        Assert.True(witnessEnd < safeEnd && safeEnd < boundEnd, $"[{witnessEnd}, {safeEnd}], the bound {boundEnd}");
        Assert.Equal(safeEnd, Number(root, "lower"));
        Assert.Contains($"so the best ℓ lies in [{G10(witnessEnd)}, {G10(safeEnd)}]; branch and bound proved "
            + $"ℓ = {G10(safeEnd)}, the bound alone ℓ = {G10(boundEnd)}", result.Stdout, StringComparison.Ordinal);
        var search = Field(root, "branchAndBound");
        var (decisions, nodes) = (search.GetProperty("decisions").GetInt32(), search.GetProperty("nodes").GetInt64());
        Assert.InRange(nodes, 1, 40);
        Assert.Contains($"; branch and bound's budget ran out after {decisions} decisions ({nodes} nodes)",
            result.Stdout, StringComparison.Ordinal);
    }

    private static string G10(double value) => value.ToString("G10", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^time       (\d+\.\d{3}) s$")]
    private static partial Regex TimeLine();
}
