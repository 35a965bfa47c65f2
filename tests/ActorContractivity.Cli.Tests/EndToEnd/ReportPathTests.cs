using ActorContractivity.Cli.Tests.Loading;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>Report paths that must be refused before any computing, leaving the file system as it was.</summary>
public sealed class ReportPathTests
{
    private static string OneLayer => Path.Combine(TestPaths.Case("one_layer_2"), "model.json");

    [Fact]
    public void A_report_path_equal_to_the_model_file_is_refused_and_the_model_is_untouched()
    {
        using var temp = new TempDirectory();
        var model = temp.Write("weights.csv", "-1,0.2\n0.1,-1\n");
        var before = File.ReadAllBytes(model);

        var result = Cli.Run("certify", model, "--json", model);

        Assert.Equal(CliApplication.BadInput, result.ExitCode);
        Assert.Contains("--json: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the model file itself", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void A_report_path_that_is_a_symbolic_link_is_refused_and_the_link_kept()
    {
        using var temp = new TempDirectory();
        var target = temp.Write("target.txt", "keep me");
        var link = Path.Combine(temp.Path, "link.json");
        File.CreateSymbolicLink(link, target);

        var result = Cli.Run("certify", OneLayer, "--json", link);

        Assert.Equal(CliApplication.BadInput, result.ExitCode);
        Assert.Contains("symbolic link", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal("keep me", File.ReadAllText(target));
    }

    [Fact]
    public void A_report_path_under_dev_is_refused()
    {
        var result = Cli.Run("certify", OneLayer, "--json", "/dev/full");

        Assert.Equal(CliApplication.BadInput, result.ExitCode);
        Assert.Contains("not a regular file location", result.Stderr, StringComparison.Ordinal);
    }
}
