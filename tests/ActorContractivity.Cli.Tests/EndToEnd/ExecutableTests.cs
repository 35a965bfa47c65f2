using ActorContractivity.Cli.Tests.Loading;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>The built <c>actorcontractivity.dll</c> run as a separate process with <c>dotnet</c>.</summary>
public sealed class ExecutableTests
{
    [Fact]
    public void The_built_executable_is_copied_next_to_the_test_assembly()
    {
        Assert.True(File.Exists(Cli.ExecutableDll), $"missing {Cli.ExecutableDll}");
        Assert.True(File.Exists(Path.ChangeExtension(Cli.ExecutableDll, ".runtimeconfig.json")));
        Assert.True(File.Exists(Path.ChangeExtension(Cli.ExecutableDll, ".deps.json")));
    }

    [Theory]
    [InlineData("one_layer_1")]
    [InlineData("time_dependent_0")]
    [InlineData("infeasible_0")]
    [InlineData("two_layer_1")]
    public void The_executable_certifies_a_known_case_with_its_exit_code_and_report(string name)
    {
        var known = KnownCase.Load(name);
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");

        var result = Cli.RunProcess("certify", known.ModelPath, "--c", known.CText, "--json", json);

        known.AssertRun(result, json);
        Assert.Equal(["r.json"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("nan.csv", "row 2, column 2")]
    [InlineData("not_composing.json", "samples[0].layers[2]")]
    public void The_executable_refuses_bad_input_with_exit_code_2_and_one_line_without_a_stack_trace(
        string file, string where)
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");
        var model = Path.Combine(TestPaths.Fixtures, "loading", "bad", file);

        var result = Cli.RunProcess("certify", model, "--json", json);

        Assert.True(result.ExitCode == CliApplication.BadInput, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.Contains(where, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void The_executable_refuses_an_invalid_option_with_exit_code_2_and_one_line()
    {
        var result = Cli.RunProcess("certify", KnownCase.Load("one_layer_2").ModelPath, "--fixed", "0");

        Assert.True(result.ExitCode == CliApplication.BadInput, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("--fixed: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}
