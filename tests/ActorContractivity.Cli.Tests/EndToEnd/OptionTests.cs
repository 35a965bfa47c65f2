using System.Globalization;
using System.Text.Json;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Tests.Loading;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;
using MathNet.Numerics.LinearAlgebra;
using static ActorContractivity.Cli.Tests.EndToEnd.Report;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>The options of <c>certify</c> change its answers the way the mathematics says they must.</summary>
public sealed class OptionTests
{
    /// <summary>ℓ* of one_layer_2 for c = 0 and the box [ℓ, 1] (expected.json).</summary>
    private const double OneLayer2Lower = 0.44035902724863263;

    /// <summary>
    /// Diagonally dominant: row sums r = (−1.2, −0.5, −2.5), column sums (−1.4, −0.2, −2.6).
    /// </summary>
    private const string Dominant = "-2,0.5,-0.3\n0.4,-1,0.1\n-0.2,0.3,-3\n";

    /// <summary>The same with a row of positive weight: r = (−0.7, 0.9, −1.8).</summary>
    private const string PositiveRow = "-1,0.2,0.1\n0.3,0.5,0.1\n0.1,0.1,-2\n";

    private static string OneLayer2 => Path.Combine(TestPaths.Case("one_layer_2"), "model.json");

    [Fact]
    public void Tuning_the_upper_end_from_a_fixed_lower_end_gives_the_answer_homogeneity_predicts()
    {
        // For c = 0, μ₂(D·A) ≤ 0 on [ℓ, u] iff it holds on [ℓ/u, 1], so u* = 0.5 / ℓ* for the
        // fixed ℓ = 0.5.
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--tune", "upper", "--fixed", "0.5", "--c", "0");

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var root = report.RootElement;
        var upper = Number(root, "upper");
        var expected = 0.5 / OneLayer2Lower;
        Assert.True(Math.Abs(upper - expected) <= 1e-6 * expected, $"u = {upper:R}, expected {expected:R}");
        Assert.Equal(0.5, Number(root, "lower"));
        Assert.Equal("upper", Text(root, "tune"));
        Assert.Equal(0.5, Number(root, "fixed"));
        Assert.Equal("exact", Text(root, "status"));
        Assert.Equal([upper, upper], Field(root, "bracket").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(100.0, Number(root, "settings", "searchLimit"));
        Assert.False(Flag(root, "reachedLimit"));
        Assert.All(Field(root, "worstCase", "diagonals")[0].EnumerateArray(),
            d => Assert.InRange(d.GetDouble(), 0.5, upper));
        Assert.Contains("largest u in [0.5, 100]", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scaling_the_fixed_upper_end_scales_the_lower_end_by_the_same_factor()
    {
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--fixed", "2");

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        Assert.True(Math.Abs(Number(report.RootElement, "lower") - 2 * OneLayer2Lower) <= 2e-7);
        Assert.Equal(2.0, Number(report.RootElement, "upper"));
    }

    [Theory]
    [InlineData("lower", "1", "0.6", 0.6, 1.0)]
    [InlineData("upper", "0.5", "1.1", 0.5, 1.1)]
    public void A_limit_inside_the_safe_range_is_returned_as_the_answer_with_reached_limit(
        string tune, string fixedEnd, string limit, double lower, double upper)
    {
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--tune", tune, "--fixed", fixedEnd, "--limit", limit);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var root = report.RootElement;
        Assert.True(Flag(root, "reachedLimit"));
        Assert.Equal((lower, upper), (Number(root, "lower"), Number(root, "upper")));
        Assert.Equal(double.Parse(limit, CultureInfo.InvariantCulture), Number(root, "settings", "searchLimit"));
        var step = Assert.Single(Field(root, "outerIterations").EnumerateArray());
        Assert.Equal("far end", Text(step, "rule"));
        Assert.Contains("(the whole search range)", result.Stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, double> ClosedFormCases => new()
    {
        { "dominant", "inf", -0.1 },
        { "dominant", "inf", 0.0 },
        { "dominant", "inf", -0.6 },
        { "dominant", "1", -0.1 },
        { "dominant", "1", 0.0 },
        { "dominant", "1", 0.1 },
        { "positive row", "inf", 0.0 },
        { "positive row", "inf", 1.0 },
        { "one_layer_3", "inf", 0.0 },
        { "one_layer_3", "inf", 2.0 },
        { "one_layer_3", "1", 0.0 },
        { "one_layer_3", "1", 1.5 },
        { "one_layer_3", "1", 2.5 },
    };

    [Theory]
    [MemberData(nameof(ClosedFormCases))]
    public void The_one_and_infinity_norms_give_the_closed_form_answer_computed_from_the_matrix(
        string matrix, string norm, double c)
    {
        using var temp = new TempDirectory();
        var path = matrix switch
        {
            "dominant" => temp.Write("dominant.csv", Dominant),
            "positive row" => temp.Write("positive.csv", PositiveRow),
            _ => Path.Combine(TestPaths.Case(matrix), "s0_l0.csv"),
        };
        var expected = ClosedForm.Of(ReadCsv(path), norm, c);

        var (result, report) = Certify(temp, path, "--norm", norm, "--c", Arg(c));

        var root = report.RootElement;
        Assert.Equal(expected.Feasible ? CliApplication.Found : CliApplication.NoInterval, result.ExitCode);
        Assert.Equal(expected.Feasible, Flag(root, "feasible"));
        Assert.Equal("exact", Text(root, "status"));
        Assert.Equal(norm, Text(root, "norm"));
        Assert.StartsWith("closed form", Text(root, "method"), StringComparison.Ordinal);
        Assert.True(Math.Abs(Number(root, "logNormAtFixed") - expected.AtFixed) <= 1e-12,
            $"logNormAtFixed {Number(root, "logNormAtFixed"):R}, expected {expected.AtFixed:R}");
        Assert.Contains(norm == "inf" ? "μ∞" : "μ₁", result.Stdout, StringComparison.Ordinal);
        if (!expected.Feasible)
        {
            Assert.Equal(JsonValueKind.Null, Field(root, "lower").ValueKind);
            return;
        }

        var lower = Number(root, "lower");
        Assert.True(Math.Abs(lower - expected.Lower) <= 1e-7, $"ℓ = {lower:R}, expected {expected.Lower:R}");
        Assert.True(lower >= expected.Lower - 1e-12, $"ℓ = {lower:R} is below the true ℓ* = {expected.Lower:R}");
        Assert.Equal(1.0, Number(root, "upper"));
        Assert.Equal(expected.ReachedLimit, Flag(root, "reachedLimit"));
        Assert.True(Number(root, "worstCase", "logNorm") <= c);
    }

    [Fact]
    public void The_closed_forms_of_the_dominant_matrix_are_the_hand_derived_numbers()
    {
        // Guards the test's own closed form: r = (−1.2, −0.5, −2.5), s = (0.6, 0.8, 0.4),
        // diagonal (−2, −1, −3).
        var a = new[,] { { -2, 0.5, -0.3 }, { 0.4, -1, 0.1 }, { -0.2, 0.3, -3 } };
        Assert.Equal(0.2, ClosedForm.Of(a, "inf", -0.1).Lower, 12);
        Assert.Equal(0.0, ClosedForm.Of(a, "inf", 0.0).Lower, 12);
        Assert.False(ClosedForm.Of(a, "inf", -0.6).Feasible);
        Assert.Equal(0.9, ClosedForm.Of(a, "1", -0.1).Lower, 12);
        Assert.Equal(0.8, ClosedForm.Of(a, "1", 0.0).Lower, 12);
        Assert.Equal(0.7, ClosedForm.Of(a, "1", 0.1).Lower, 12);
    }

    [Fact]
    public void The_explicit_euler_step_changes_the_answer_and_it_is_the_true_discrete_worst_case()
    {
        const double h = 0.1;
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--discrete", Arg(h));

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var root = report.RootElement;
        Assert.Equal("exact", Text(root, "status"));
        Assert.Equal(h, Number(root, "discrete"));
        var lower = Number(root, "lower");
        Assert.True(Math.Abs(lower - OneLayer2Lower) > 1e-3, $"ℓ = {lower:R} equals the flow answer");

        // ‖I + hM‖ ≤ 1 implies μ(M) ≤ 0, so for c = 0 the Euler step can only need a narrower interval.
        Assert.True(lower >= OneLayer2Lower - 1e-7, $"ℓ = {lower:R} is below the flow answer {OneLayer2Lower:R}");

        // ‖I + hDA‖₂ is convex in D, so its maximum over the box sits at one of the 2⁹ vertices.
        var a = ModelLoader.Load(OneLayer2).Model.Samples[0].Layers[0];
        Assert.True(MaxStepNorm(a, h, lower) <= 1 + 1e-12, "the reported interval breaks ‖I + hDA‖₂ ≤ 1");
        Assert.True(MaxStepNorm(a, h, lower - 1e-5) > 1, "a wider interval still satisfies ‖I + hDA‖₂ ≤ 1");
        Assert.Contains("h = 0.1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ln‖I+hDJ‖₂/h", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tiny_euler_step_never_certifies_a_wider_interval_than_the_flow()
    {
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--discrete", "1e-14");

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        Assert.True(Number(report.RootElement, "lower") >= OneLayer2Lower - 1e-7);
    }

    [Fact]
    public void A_huge_fixed_slope_is_answered_by_homogeneity_or_refused_but_never_an_internal_error()
    {
        var result = Cli.Run("certify", OneLayer2, "--fixed", "1e200");

        Assert.NotEqual(CliApplication.InternalError, result.ExitCode);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_starts_and_tolerance_are_reported_in_the_settings()
    {
        using var temp = new TempDirectory();
        var (result, report) = Certify(temp, OneLayer2, "--seed", "7", "--starts", "3", "--tol", "1e-6");

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var settings = Field(report.RootElement, "settings");
        Assert.Equal(3, Field(settings, "starts").GetInt32());
        Assert.Equal(7, Field(settings, "seed").GetInt32());
        Assert.Equal(1e-6, Number(settings, "tolerance"));
        Assert.Equal(0.0, Number(settings, "searchLimit"));
        Assert.True(Math.Abs(Number(report.RootElement, "lower") - OneLayer2Lower) <= 2e-6);
    }

    [Fact]
    public void The_default_settings_are_eight_starts_seed_zero_and_tolerance_1e_8()
    {
        using var temp = new TempDirectory();
        var (_, report) = Certify(temp, OneLayer2);

        var settings = Field(report.RootElement, "settings");
        Assert.Equal((8, 0), (Field(settings, "starts").GetInt32(), Field(settings, "seed").GetInt32()));
        Assert.Equal(1e-8, Number(settings, "tolerance"));
    }

    [Fact]
    public void A_model_too_large_to_enumerate_is_searched_with_the_given_starts_and_seed_reproducibly()
    {
        // 21 slopes is one more than InnerOptions.EnumerationLimit, so the gradient search (not enumeration) runs.
        using var temp = new TempDirectory();
        var path = temp.Write("n21.csv", RandomDominantCsv(21, seed: 1));
        string[] options = ["--starts", "2", "--seed", "5", "--tol", "1e-5", "--certify", "off"];

        var (first, report) = Certify(temp, path, options);
        var (second, again) = Certify(temp, path, options);

        Assert.True(first.ExitCode == CliApplication.Found, first.ToString());
        var root = report.RootElement;
        Assert.Equal("estimate", Text(root, "status"));
        Assert.Contains("2 starts", Text(root, "method"), StringComparison.Ordinal);
        var settings = Field(root, "settings");
        Assert.Equal((2, 5), (Field(settings, "starts").GetInt32(), Field(settings, "seed").GetInt32()));
        Assert.Equal(Number(root, "lower"), Number(again.RootElement, "lower"));
        Assert.Contains("status: estimate", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("did not prove", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(first.ExitCode, second.ExitCode);
    }

    [Fact]
    public void With_certification_the_same_model_gets_a_proven_end_at_or_above_the_witness_end()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("n21.csv", RandomDominantCsv(21, seed: 1));

        var (result, report) = Certify(temp, path, "--starts", "2", "--seed", "5", "--certify", "bound");

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var root = report.RootElement;
        Assert.Equal(JsonValueKind.Null, Field(root, "branchAndBound").ValueKind);
        var status = Text(root, "status");
        Assert.True(status is "bracket" or "exact", status);
        var bracket = Field(root, "bracket").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.True(bracket[0] <= bracket[1] + 1e-12, $"[{bracket[0]}, {bracket[1]}]");
        Assert.Equal(bracket[1], Number(root, "lower"));
        Assert.Equal(bracket[1], Number(Field(root, "certificate"), "safeEnd"));
        Assert.Contains("proven: contractive for every slope pattern", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_certification_proves_the_witness_end_by_branch_and_bound_and_matches_enumeration()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("n21.csv", RandomDominantCsv(21, seed: 1));

        var (auto, report) = Certify(temp, path, "--starts", "2", "--seed", "5");
        var root = report.RootElement;
        Assert.True(auto.ExitCode == CliApplication.Found, auto.ToString());
        Assert.Equal("exact", Text(root, "status"));
        var search = Field(root, "branchAndBound");
        Assert.True(search.GetProperty("complete").GetBoolean());
        Assert.True(search.GetProperty("decisions").GetInt32() >= 1);
        Assert.True(search.GetProperty("nodes").GetInt64() >= 1);
        Assert.Equal(60.0, Number(Field(root, "settings"), "budgetSeconds"));
        Assert.Contains("branch and bound", auto.Stdout, StringComparison.Ordinal);

        // 21 slopes are one more than enumeration takes by default; the enumerated answer is the reference.
        var lower = Number(root, "lower");
        var a = ReadCsv(path);
        var model = NeuralOdeModel.OneLayer(Matrix.FromRowMajor(21, 21, a.Cast<double>().ToArray()));
        var reference = IntervalSolver.Solve(model, new IntervalQuestion(Tolerance: 1e-9),
            new InnerOptions(EnumerationLimit: 21), CertifyMode.Off);
        Assert.Equal(CertificateStatus.Exact, reference.Status);
        Assert.InRange(lower - reference.Lower!.Value, -1e-8, 2e-8);
    }

    [Fact]
    public void Certify_exact_without_a_budget_and_a_zero_budget_that_falls_back_to_the_bound_bracket()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("n21.csv", RandomDominantCsv(21, seed: 3));

        var (exact, exactReport) = Certify(temp, path, "--certify", "exact");
        Assert.True(exact.ExitCode == CliApplication.Found, exact.ToString());
        Assert.Equal("exact", Text(exactReport.RootElement, "status"));
        Assert.Equal(JsonValueKind.Null, Field(Field(exactReport.RootElement, "settings"), "budgetSeconds").ValueKind);

        var (budgeted, report) = Certify(temp, path, "--budget", "0");
        var root = report.RootElement;
        Assert.True(budgeted.ExitCode == CliApplication.Found, budgeted.ToString());
        Assert.False(Field(root, "branchAndBound").GetProperty("complete").GetBoolean());
        Assert.Contains(Text(root, "status"), new[] { "bracket", "exact" });
        Assert.Equal(Number(root, "lower"), Number(Field(root, "certificate"), "safeEnd"));
        Assert.True(Number(root, "lower") >= Number(exactReport.RootElement, "lower") - 1e-8,
            "the bound's safe end cannot lie below the exact end");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("abc")]
    public void A_bad_budget_is_refused_in_one_line(string value)
    {
        using var temp = new TempDirectory();
        var path = temp.Write("m.csv", RandomDominantCsv(4, seed: 2));
        var result = Cli.Run(["certify", path, "--budget", value]);
        Assert.Equal(CliApplication.BadInput, result.ExitCode);
        Assert.Contains("--budget", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("-1", "must be a whole number in [0, 1000000000000], got -1")]
    [InlineData("2.5", "'2.5' is not a whole number")]
    [InlineData("1e3", "'1e3' is not a whole number")]
    [InlineData("abc", "'abc' is not a whole number")]
    [InlineData("99999999999999999999", "got 99999999999999999999")]
    public void A_bad_node_budget_is_refused_in_one_line(string value, string says)
    {
        using var temp = new TempDirectory();
        var path = temp.Write("m.csv", RandomDominantCsv(4, seed: 2));
        var result = Cli.Run(["certify", path, "--budget-nodes", value]);
        Assert.Equal(CliApplication.BadInput, result.ExitCode);
        Assert.Contains("--budget-nodes: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(says, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_node_budget_alone_lifts_the_time_limit_and_gives_the_same_report_twice()
    {
        // 30 slopes: beyond enumeration, so branch and bound decides boxes until its 25 nodes are spent.
        using var temp = new TempDirectory();
        var path = temp.Write("n30.csv", RandomDominantCsv(30, seed: 4));

        var (first, report) = Certify(temp, path, "--starts", "1", "--budget-nodes", "25");
        var (second, again) = Certify(temp, path, "--starts", "1", "--budget-nodes", "25");

        Assert.True(first.ExitCode == CliApplication.Found, first.ToString());
        var (root, other) = (report.RootElement, again.RootElement);
        var settings = Field(root, "settings");
        Assert.Equal(25, settings.GetProperty("budgetNodes").GetInt64());
        Assert.Equal(JsonValueKind.Null, Field(settings, "budgetSeconds").ValueKind);
        var search = Field(root, "branchAndBound");
        Assert.InRange(search.GetProperty("nodes").GetInt64(), 1, 25);
        Assert.False(search.GetProperty("complete").GetBoolean());
        Assert.Equal(search.GetProperty("nodes").GetInt64(), Field(other, "branchAndBound").GetProperty("nodes")
            .GetInt64());
        Assert.Equal(Text(root, "status"), Text(other, "status"));
        Assert.Equal(Field(root, "bracket").ToString(), Field(other, "bracket").ToString());
    }

    [Fact]
    public void Layer_shards_give_the_same_report_numbers_as_the_unsharded_job()
    {
        // Three ResNet blocks of two 12×12 layers (24 slopes each, beyond enumeration): every sample is sharded.
        using var temp = new TempDirectory();
        var model = Path.Combine(temp.Path, "resnet");
        Assert.Equal(0, Cli.Run("generate", "resnet", "--blocks", "3", "--width", "12", "--out", model).ExitCode);
        string[] options = ["--starts", "3", "--tol", "1e-4", "--certify", "off"];
        var (_, plain) = Certify(temp, Path.Combine(model, "model.json"), options);
        var (result, sharded) = Certify(temp, Path.Combine(model, "model.json"), [.. options, "--shard-layers", "2"]);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        foreach (var field in new[] { "lower", "upper", "bracket", "status", "worstCase", "outerIterations", "work" })
        {
            Assert.Equal(Field(plain.RootElement, field).GetRawText(), Field(sharded.RootElement, field).GetRawText());
        }
    }

    /// <summary>Runs <c>certify MODEL OPTIONS --json TEMP/r.json</c> and parses the report.</summary>
    private static (CliResult Result, JsonDocument Report) Certify(
        TempDirectory temp, string model, params string[] options)
    {
        var json = Path.Combine(temp.Path, "r.json");
        File.Delete(json);
        var result = Cli.Run(["certify", model, .. options, "--json", json]);
        Assert.True(result.Stderr.Length == 0, result.ToString());
        Assert.True(File.Exists(json), result.ToString());
        return (result, Read(json));
    }

    /// <summary>Parses a CSV matrix independently of the loader under test.</summary>
    private static double[,] ReadCsv(string path)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        var a = new double[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = 0; j < rows[i].Length; j++)
            {
                a[i, j] = rows[i][j];
            }
        }

        return a;
    }

    /// <summary>max over the vertices D ∈ {ℓ, 1}ⁿ of ‖I + hDA‖₂.</summary>
    private static double MaxStepNorm(Core.Model.Matrix a, double h, double lower)
    {
        var n = a.Rows;
        var worst = 0.0;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            var m = Matrix<double>.Build.Dense(n, n, (i, j) =>
                (i == j ? 1.0 : 0.0) + h * ((mask >> i & 1) == 1 ? 1.0 : lower) * a[i, j]);
            worst = Math.Max(worst, m.L2Norm());
        }

        return worst;
    }

    private static string RandomDominantCsv(int n, int seed)
    {
        var random = new Random(seed);
        var lines = Enumerable.Range(0, n).Select(i => string.Join(',', Enumerable.Range(0, n).Select(j =>
            ((i == j ? -2.0 : 0.0) + 0.6 * (random.NextDouble() - 0.5)).ToString("R", CultureInfo.InvariantCulture))));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// The exact answer for μ∞ or μ₁, box [ℓ, 1], tuning ℓ over [0, 1], with D·A for D = diag(d), d ≥ 0.
    /// μ∞: row i of D·A contributes d_i r_i with r_i = a_ii + Σ_{j≠i} |a_ij|, so φ(ℓ) = max_i max(ℓ r_i,
    /// r_i): feasible iff max r_i ≤ c, and then ℓ* = max(0, max over r_i &lt; 0 of c / r_i).
    /// μ₁: column j contributes d_j a_jj + Σ_{i≠j} d_i |a_ij|, worst with the other slopes at 1, so
    /// φ(ℓ) = max_j max(ℓ a_jj + s_j, a_jj + s_j) with s_j = Σ_{i≠j} |a_ij|: feasible iff max_j (a_jj + s_j)
    /// ≤ c, and then ℓ* = max(0, max over a_jj &lt; 0 of (c − s_j) / a_jj).
    /// </summary>
    private sealed record ClosedForm(bool Feasible, double AtFixed, double Lower, bool ReachedLimit)
    {
        public static ClosedForm Of(double[,] a, string norm, double c)
        {
            var n = a.GetLength(0);
            double Off(int k, bool row) =>
                Enumerable.Range(0, n).Where(m => m != k).Sum(m => Math.Abs(row ? a[k, m] : a[m, k]));
            double atFixed;
            double lower;
            double atZero;
            if (norm == "inf")
            {
                var r = Enumerable.Range(0, n).Select(i => a[i, i] + Off(i, row: true)).ToArray();
                atFixed = r.Max();
                lower = r.Where(v => v < 0).Select(v => c / v).Append(0.0).Max();
                atZero = Math.Max(0.0, atFixed);
            }
            else
            {
                var s = Enumerable.Range(0, n).Select(j => Off(j, row: false)).ToArray();
                atFixed = Enumerable.Range(0, n).Max(j => a[j, j] + s[j]);
                lower = Enumerable.Range(0, n).Where(j => a[j, j] < 0)
                    .Select(j => (c - s[j]) / a[j, j]).Append(0.0).Max();
                atZero = Enumerable.Range(0, n).Max(j => Math.Max(s[j], a[j, j] + s[j]));
            }

            return new ClosedForm(atFixed <= c, atFixed, lower, atZero <= c);
        }
    }
}
