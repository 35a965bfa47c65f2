using System.Globalization;
using System.Text.Json;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Tests.Loading;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>A known-answer case of <c>fixtures/cases</c> with its <c>expected.json</c>.</summary>
public sealed record KnownCase(
    string Name, double C, string Tune, double Fixed, bool Feasible, double? Lower, double Mu2AtIdentity)
{
    /// <summary>The folder of every case, sorted by name.</summary>
    public static string[] Names =>
        Directory.GetDirectories(Path.Combine(TestPaths.Fixtures, "cases"))
            .Select(d => Path.GetFileName(d))
            .Where(n => File.Exists(Path.Combine(TestPaths.Case(n), "expected.json")))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>Every case name as theory data.</summary>
    public static TheoryData<string> All => new(Names);

    /// <summary>The manifest of the case.</summary>
    public string ModelPath => Path.Combine(TestPaths.Case(Name), "model.json");

    /// <summary>c as a command-line value that round-trips exactly.</summary>
    public string CText => C.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>expected.json</c> of the named case.</summary>
    public static KnownCase Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Case(name), "expected.json")));
        var root = document.RootElement;
        var lower = root.GetProperty("lower");
        return new KnownCase(
            name,
            root.GetProperty("c").GetDouble(),
            root.GetProperty("tune").GetString()!,
            root.GetProperty("fixed").GetDouble(),
            root.GetProperty("feasible").GetBoolean(),
            lower.ValueKind == JsonValueKind.Null ? null : lower.GetDouble(),
            root.GetProperty("mu2_at_identity").GetDouble());
    }

    /// <summary>
    /// Asserts everything a <c>certify MODEL --c c --json PATH</c> run of this case must produce: the exit code,
    /// the report file and the summary.
    /// </summary>
    public void AssertRun(CliResult result, string jsonPath)
    {
        var exitCode = Feasible ? CliApplication.Found : CliApplication.NoInterval;
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.True(result.Stderr.Length == 0, result.ToString());
        Assert.True(File.Exists(jsonPath), $"no report at {jsonPath}{Environment.NewLine}{result}");

        using var document = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        var report = document.RootElement;
        Assert.Equal(Feasible, report.GetProperty("feasible").GetBoolean());
        Assert.Equal("exact", report.GetProperty("status").GetString());
        Assert.Equal(C, report.GetProperty("c").GetDouble());
        Assert.Equal(Tune, report.GetProperty("tune").GetString());
        Assert.Equal(Fixed, report.GetProperty("fixed").GetDouble());
        Assert.Equal("2", report.GetProperty("norm").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("discrete").ValueKind);

        var worst = report.GetProperty("worstCase");
        AssertDiagonals(worst);
        var logNormAtFixed = report.GetProperty("logNormAtFixed").GetDouble();
        var iterations = report.GetProperty("outerIterations").EnumerateArray().ToArray();
        if (Feasible)
        {
            var lower = report.GetProperty("lower").GetDouble();
            Assert.True(Math.Abs(lower - Lower!.Value) <= 1e-7, $"lower {lower:R}, expected {Lower.Value:R}");
            Assert.Equal(1.0, report.GetProperty("upper").GetDouble());
            Assert.Equal([lower, lower], report.GetProperty("bracket").EnumerateArray().Select(e => e.GetDouble()));
            Assert.False(report.GetProperty("reachedLimit").GetBoolean());
            Assert.True(logNormAtFixed <= C, $"μ₂ at D = I is {logNormAtFixed:R} > c = {C:R}");
            Assert.All(worst.GetProperty("diagonals").EnumerateArray().SelectMany(d => d.EnumerateArray()),
                d => Assert.InRange(d.GetDouble(), lower, 1.0));

            // The reported end is a point the search evaluated and found safe, and the witness is that evaluation.
            Assert.NotEmpty(iterations);
            Assert.Equal("far end", iterations[0].GetProperty("rule").GetString());
            var atLower = Assert.Single(iterations, i => i.GetProperty("theta").GetDouble() == lower);
            Assert.True(atLower.GetProperty("phi").GetDouble() <= C);
            Assert.Equal(atLower.GetProperty("phi").GetDouble(), worst.GetProperty("logNorm").GetDouble());
            Assert.All(iterations, i =>
            {
                // φ decreases in ℓ, so every unsafe step lies below ℓ and every safe one at or above it.
                var theta = i.GetProperty("theta").GetDouble();
                var phi = i.GetProperty("phi").GetDouble();
                Assert.True(phi <= C ? theta >= lower : theta < lower, $"θ = {theta:R}, φ = {phi:R}");
                Assert.Contains(i.GetProperty("rule").GetString(), new[] { "far end", "newton", "bisection" });
            });

            Assert.Contains("status: exact", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("no interval exists", result.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, report.GetProperty("lower").ValueKind);
            Assert.Equal(JsonValueKind.Null, report.GetProperty("upper").ValueKind);
            Assert.Equal(JsonValueKind.Null, report.GetProperty("bracket").ValueKind);
            Assert.False(report.GetProperty("reachedLimit").GetBoolean());
            Assert.True(Math.Abs(logNormAtFixed - Mu2AtIdentity) <= 1e-9,
                $"logNormAtFixed {logNormAtFixed:R}, expected {Mu2AtIdentity:R}");
            Assert.True(logNormAtFixed > C);
            Assert.Equal(logNormAtFixed, worst.GetProperty("logNorm").GetDouble());
            Assert.All(worst.GetProperty("diagonals").EnumerateArray().SelectMany(d => d.EnumerateArray()),
                d => Assert.Equal(Fixed, d.GetDouble()));
            Assert.Empty(iterations);
            Assert.Contains("no interval exists", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("status: exact", result.Stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>One diagonal per layer of the witness sample, as long as that layer has rows.</summary>
    private void AssertDiagonals(JsonElement worst)
    {
        var model = ModelLoader.Load(ModelPath).Model;
        var sampleIndex = worst.GetProperty("sample").GetInt32();
        Assert.InRange(sampleIndex, 0, model.Samples.Count - 1);
        var sample = model.Samples[sampleIndex];
        Assert.Equal(sample.Time, worst.GetProperty("time").GetDouble());
        var lengths = worst.GetProperty("diagonals").EnumerateArray().Select(d => d.GetArrayLength());
        Assert.Equal(sample.Layers.Select(l => l.Rows), lengths);
    }
}
