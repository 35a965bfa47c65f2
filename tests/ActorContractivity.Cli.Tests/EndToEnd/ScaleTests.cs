using System.Globalization;
using ActorContractivity.Cli.Tests.Loading;
using static ActorContractivity.Cli.Tests.EndToEnd.Report;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>μ(αM) = α μ(M): the weights' overall scale must not change what is proven, only the units.</summary>
public sealed class ScaleTests
{
    [Theory]
    [InlineData(1e-10)]
    [InlineData(1e10)]
    [InlineData(1e-160)]
    public void Weights_far_from_unit_scale_are_certified_as_at_unit_scale(double scale)
    {
        using var temp = new TempDirectory();
        var unit = temp.Write("unit.csv", Csv(30, 1.0));
        var scaled = temp.Write("scaled.csv", Csv(30, scale));
        var unitJson = Path.Combine(temp.Path, "unit.json");
        var scaledJson = Path.Combine(temp.Path, "scaled.json");

        var first = Cli.Run("certify", unit, "--certify", "bound", "--starts", "4", "--json", unitJson);
        var second = Cli.Run("certify", scaled, "--certify", "bound", "--starts", "4", "--json", scaledJson);

        Assert.True(first.ExitCode == CliApplication.Found, first.ToString());
        Assert.True(second.ExitCode == CliApplication.Found, second.ToString());
        using var a = Read(unitJson);
        using var b = Read(scaledJson);
        Assert.Equal("bracket", Text(a.RootElement, "status"));
        Assert.Equal("bracket", Text(b.RootElement, "status"));
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, Field(b.RootElement, "certificate").ValueKind);
        var witnessEnd = Field(a.RootElement, "bracket")[0].GetDouble();
        Assert.InRange(Field(b.RootElement, "bracket")[0].GetDouble() - witnessEnd, -1e-7, 1e-7);
        Assert.InRange(Number(b.RootElement, "lower") - Number(a.RootElement, "lower"), -1e-3, 1e-3);
        var ratio = Number(b.RootElement, "logNormAtFixed") / Number(a.RootElement, "logNormAtFixed");
        Assert.InRange(ratio / scale, 1 - 1e-9, 1 + 1e-9);
    }

    [Theory]
    [InlineData("2", "--fixed", "1e308", "lower", 2.5e307)]
    [InlineData("1e300", "--fixed", "1e10", "lower", 2.5e9)]
    [InlineData("1e-310", "--fixed", "1e-300", "lower", 2.5e-301)]
    [InlineData("2", "--tune upper --fixed", "1e300 --limit 1e308", "upper", 4e300)]
    public void Slopes_or_weights_near_the_ends_of_the_doubles_give_the_exact_answer(
        string weights, string option, string value, string end, double expected)
    {
        // [[−w, w], [0, −w]]: μ₂(DA) ≤ 0 exactly when d₂ ≥ d₁/4. These used to be "proven" on the whole
        // range (an infinite rescaling made the weights zero) or refused with "entry (0, 0) is -Infinity".
        using var temp = new TempDirectory();
        var model = temp.Write("tiny.csv", $"-{weights},{weights}\n0,-{weights}\n");
        var json = Path.Combine(temp.Path, "report.json");
        string[] args = ["certify", model, .. option.Split(' '), .. value.Split(' '), "--json", json];

        var result = Cli.Run(args);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        using var report = Read(json);
        Assert.Equal("exact", Text(report.RootElement, "status"));
        Assert.InRange(Number(report.RootElement, end) / expected, 1 - 1e-7, 1 + 1e-7);
        Assert.False(Flag(report.RootElement, "reachedLimit"));
        var logNorm = Field(report.RootElement, "worstCase", "logNorm");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, logNorm.ValueKind);
    }

    [Theory]
    [InlineData("2", "--fixed 1e308 --discrete 1", "weights × slopes × step reach 1e308 in sample 0, outside 1e-50")]
    [InlineData("1e300", "--fixed 1e10 --c -1e-300", "weights × slopes reach 1e310 in sample 0, outside 1e-75")]
    public void A_problem_that_cannot_be_represented_is_refused_in_one_line(string weights, string options,
        string message)
    {
        using var temp = new TempDirectory();
        var model = temp.Write("model.csv", $"-{weights},{weights}\n0,-{weights}\n");
        var json = Path.Combine(temp.Path, "report.json");

        var result = Cli.Run(["certify", model, .. options.Split(' '), "--json", json]);

        Assert.True(result.ExitCode == CliApplication.BadInput, result.ToString());
        Assert.Single(result.ErrorLines);
        Assert.Contains(message, result.Stderr);
        Assert.False(File.Exists(json));
    }

    /// <summary>A seeded 30×30 model −2I + G/√n, times the scale.</summary>
    private static string Csv(int n, double scale)
    {
        var random = new Random(4);
        var rows = Enumerable.Range(0, n).Select(i => string.Join(',', Enumerable.Range(0, n).Select(j =>
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()))
                * Math.Cos(2 * Math.PI * random.NextDouble());
            var value = normal / Math.Sqrt(n) - (i == j ? 2.0 : 0.0);
            return (value * scale).ToString("R", CultureInfo.InvariantCulture);
        })));
        return string.Join('\n', rows) + "\n";
    }
}
