using System.Text;
using ActorContractivity.Cli.Tests.Loading;
using static ActorContractivity.Cli.Tests.EndToEnd.Report;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>What <c>--json</c> does to a file that is already there.</summary>
public sealed class ReportFileTests
{
    private static string OneLayer2 => Path.Combine(TestPaths.Case("one_layer_2"), "model.json");

    private static string TwoLayer => Path.Combine(TestPaths.Case("two_layer_0"), "model.json");

    [Fact]
    public void An_existing_longer_file_is_replaced_by_the_report_not_appended_to_or_partly_overwritten()
    {
        using var temp = new TempDirectory();
        var old = "{\"sentinel\": \"" + new string('x', 200_000) + "\"}\n";
        var json = temp.Write("r.json", old);

        var result = Cli.Run("certify", OneLayer2, "--json", json);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var text = File.ReadAllText(json, Encoding.UTF8);
        Assert.DoesNotContain("sentinel", text, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxx", text, StringComparison.Ordinal);
        Assert.True(text.Length < 20_000, $"the report is {text.Length} characters long");
        using var report = Read(json);
        Assert.True(Flag(report.RootElement, "feasible"));
        Assert.Equal(["r.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_log_norm_of_minus_infinity_is_written_as_null_and_the_report_stays_valid_json()
    {
        // With h = 1 and D = I, I + h·D·J = 0 for J = −I: ln‖0‖/h = −∞.
        using var temp = new TempDirectory();
        var model = temp.Write("minus_identity.csv", "-1,0\n0,-1\n");
        var json = Path.Combine(temp.Path, "r.json");

        var result = Cli.Run("certify", model, "--discrete", "1", "--json", json);

        Assert.True(result.ExitCode == CliApplication.Found, result.ToString());
        var text = File.ReadAllText(json, Encoding.UTF8);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        using var report = Read(json);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.RootElement.GetProperty("logNormAtFixed").ValueKind);
        Assert.Equal(0.0, report.RootElement.GetProperty("lower").GetDouble());
    }

    [Fact]
    public void A_second_run_replaces_the_first_report_even_when_it_finds_no_interval()
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");

        var first = Cli.Run("certify", OneLayer2, "--c", "0", "--json", json);
        var second = Cli.Run("certify", OneLayer2, "--c", "-0.5", "--json", json);

        Assert.True(first.ExitCode == CliApplication.Found, first.ToString());
        Assert.True(second.ExitCode == CliApplication.NoInterval, second.ToString());
        using var report = Read(json);
        Assert.False(Flag(report.RootElement, "feasible"));
        Assert.Equal(-0.5, Number(report.RootElement, "c"));
        Assert.Equal(["r.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    public static TheoryData<string, string[]> FailingRuns => new()
    {
        { "an invalid option value", [OneLayer2, "--fixed", "0"] },
        { "an option the parser refuses", [OneLayer2, "--norm", "3"] },
        { "an unknown option", [OneLayer2, "--frobnicate"] },
        { "a model that does not load", [Path.Combine(TestPaths.Fixtures, "loading", "bad", "nan.csv")] },
        { "a missing model", ["/no/such/model.json"] },
        { "a norm the model does not support", [TwoLayer, "--norm", "1"] },
    };

    [Theory]
    [MemberData(nameof(FailingRuns))]
    public void A_run_that_fails_on_bad_input_leaves_an_existing_report_byte_for_byte_untouched(
        string what, string[] args)
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");
        var good = Cli.Run("certify", OneLayer2, "--json", json);
        Assert.True(good.ExitCode == CliApplication.Found, good.ToString());
        var before = File.ReadAllBytes(json);
        var written = File.GetLastWriteTimeUtc(json);

        var result = Cli.Run(["certify", .. args, "--json", json]);

        Assert.True(result.ExitCode == CliApplication.BadInput, $"{what}: {result}");
        Assert.Equal(before, File.ReadAllBytes(json));
        Assert.Equal(written, File.GetLastWriteTimeUtc(json));
        Assert.Equal(["r.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}
