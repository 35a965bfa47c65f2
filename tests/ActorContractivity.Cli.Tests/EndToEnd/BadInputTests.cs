using ActorContractivity.Cli.Tests.Loading;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>
/// Bad input through the whole command line: exit code 2, one line on stderr naming the file or option and the
/// problem, nothing on stdout, and neither a report nor a temporary file left behind.
/// </summary>
public sealed class BadInputTests
{
    private static readonly Dictionary<string, Func<TempDirectory, Scenario>> Scenarios = new()
    {
        ["a CSV entry that is not a number"] = temp => Model(
            temp.Write("weights.csv", "1,2\n3,abc\n"), "row 2, column 2", "\"abc\" is not a number"),
        ["NaN in a CSV file"] = temp => Model(
            temp.Write("weights.csv", "1,NaN\n3,4\n"), "row 1, column 2", "NaN is not allowed"),
        ["infinity in an npy file"] = temp => Model(
            temp.Write("weights.npy", NpyBytes.Float64(new[,] { { 1.0, 2.0 }, { double.PositiveInfinity, 4.0 } })),
            "row 2, column 1", "infinity is not allowed"),
        ["an empty CSV file"] = temp => Model(temp.Write("weights.csv", ""), "the file is empty"),
        ["a ragged CSV file"] = temp => Model(
            temp.Write("weights.csv", "1,2,3\n4,5\n6,7,8\n"), "row 2 has 2 values but row 1 has 3"),
        ["an npy file of integers"] = temp => Model(
            temp.Write("weights.npy", NpyBytes.File("<i8", false, "(2, 2)", new byte[32])),
            "dtype '<i8' is not supported"),
        ["a one-layer model that is not square"] = _ => Model(Bad("not_square.csv"), "2×3", "must be square"),
        ["layers that do not compose"] = _ => Model(
            Bad("not_composing.json"), "samples[0].layers[2]", "is 2×2", "column count must equal"),
        ["a manifest naming a missing file"] = _ => Model(
            Bad("missing_layer.json"), "samples[0].layers[0]", "absent.npy", "file not found"),
        ["a manifest with an unknown field"] = _ => Model(Bad("unknown_field.json"), "unknown field \"biases\""),
        ["a missing model file"] = temp => Model(Path.Combine(temp.Path, "absent.csv"), "file not found"),
        ["--fixed 0"] = _ => Option(["--fixed", "0"], "--fixed: ", "> 0, got 0"),
        ["--fixed -1"] = _ => Option(["--fixed", "-1"], "--fixed: ", "got -1"),
        ["--limit 1.5 above the default fixed end 1"] = _ => Option(["--limit", "1.5"], "--limit: ", "[0, 1)", "1.5"),
        ["--limit -0.1"] = _ => Option(["--limit", "-0.1"], "--limit: ", "[0, 1)", "-0.1"),
        ["--tol 0"] = _ => Option(["--tol", "0"], "--tol: ", "(0, 0.1]", "got 0"),
        ["--starts 0"] = _ => Option(["--starts", "0"], "--starts: ", "[1, 10000]", "got 0"),
        ["--shard-layers -1"] = _ => Option(["--shard-layers", "-1"], "--shard-layers: ", "[0, 1024]", "got -1"),
        ["--discrete 0"] = _ => Option(["--discrete", "0"], "--discrete: ", "> 0, got 0"),
        ["--c abc"] = _ => Option(["--c", "abc"], "--c: ", "'abc' is not a number"),
        ["--c inf (NumPy's spelling)"] = _ => Option(["--c", "inf"], "--c: ", "must be a finite number, got Infinity"),
        ["--c nan"] = _ => Option(["--c", "nan"], "--c: ", "must be a finite number, got NaN"),
        ["a decimal comma in --c"] = _ => Option(["--c", "0,05"], "--c: ", "'0,05' is not a number", "point"),
        ["a decimal comma in --fixed"] = _ => Option(["--fixed", "1,0"], "--fixed: ", "'1,0' is not a number"),
        ["an empty model path"] = _ => Model("", "MODEL: ", "the path is empty"),
        ["a named pipe as the model"] = temp => Model(temp.Fifo("weights.csv"), "the file is empty"),
        ["an unknown option"] = _ => Option(["--frobnicate", "1"], "'--frobnicate'"),
        ["--norm 1 on a two-layer model"] = _ => new Scenario(
            [TwoLayer, "--norm", "1"], "--norm: ", ["one-layer", "2 layers"]),
        ["weights too small for an Euler step to compute with"] = temp => new Scenario(
            [temp.Write("weights.csv", "-1e-160,2e-161\n3e-161,-1e-160\n"), "--discrete", "0.1"], "weights.csv: ",
            ["reach 1e-161", "outside 1e-50"]),
        ["weights too large for an Euler step to compute with"] = temp => new Scenario(
            [temp.Write("weights.csv", "-1e200,2e199\n3e199,-1e200\n"), "--discrete", "0.1"], "weights.csv: ",
            ["reach 1e199"]),
        ["an Euler step too large to compute with"] = _ => Option(["--discrete", "1e80"], "reach 1e80", "--discrete"),
        ["--norm inf on a two-layer model"] = _ => new Scenario(
            [TwoLayer, "--norm", "inf"], "--norm: ", ["one-layer"]),
    };

    public static TheoryData<string> Names => new(Scenarios.Keys);

    private static string OneLayer => Path.Combine(TestPaths.Case("one_layer_2"), "model.json");

    private static string TwoLayer => Path.Combine(TestPaths.Case("two_layer_0"), "model.json");

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_exits_with_2_and_one_line_naming_the_culprit_and_writes_no_report(string name)
    {
        using var temp = new TempDirectory();
        var scenario = Scenarios[name](temp);
        var json = Path.Combine(temp.Path, "r.json");
        var before = Entries(temp.Path);

        var result = Cli.Run(["certify", .. scenario.Args, "--json", json]);

        AssertRefused(result, scenario.Culprit, scenario.Fragments);
        Assert.False(File.Exists(json), "a report was written for bad input");
        Assert.Equal(before, Entries(temp.Path));
    }

    [Fact]
    public void A_json_path_in_a_directory_that_does_not_exist_exits_with_2_and_creates_nothing()
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "no", "such", "dir", "r.json");

        var result = Cli.Run("certify", OneLayer, "--json", json);

        AssertRefused(result, "--json: ", json, "does not exist");
        Assert.Empty(Entries(temp.Path));
    }

    [Fact]
    public void A_json_path_inside_a_file_exits_with_2_and_says_the_file_is_no_directory()
    {
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "afile");
        File.WriteAllText(file, "kept");
        var json = Path.Combine(file, "r.json");

        var result = Cli.Run("certify", OneLayer, "--json", json);

        AssertRefused(result, "--json: ", json, "is a file, not a directory");
        Assert.Equal("kept", File.ReadAllText(file));
    }

    [Fact]
    public void A_json_path_that_is_a_directory_exits_with_2_and_leaves_the_directory_alone()
    {
        using var temp = new TempDirectory();
        var json = Directory.CreateDirectory(Path.Combine(temp.Path, "r.json")).FullName;

        var result = Cli.Run("certify", OneLayer, "--json", json);

        AssertRefused(result, "--json: ", "is a directory");
        Assert.Equal(["r.json"], Entries(temp.Path));
        Assert.Empty(Directory.GetFileSystemEntries(json));
    }

    [Theory]
    [InlineData("--norm", "3")]
    [InlineData("--tune", "sideways")]
    public void A_value_outside_an_options_choices_exits_with_2_and_writes_no_report(string option, string value)
    {
        using var temp = new TempDirectory();
        var json = Path.Combine(temp.Path, "r.json");

        var result = Cli.Run("certify", OneLayer, option, value, "--json", json);

        Assert.True(result.ExitCode == CliApplication.BadInput, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains($"'{value}'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Entries(temp.Path));
    }

    [Theory]
    [InlineData("--norm", "3")]
    [InlineData("--tune", "sideways")]
    public void A_value_outside_an_options_choices_is_refused_on_one_line_naming_the_option(
        string option, string value)
    {
        var result = Cli.Run("certify", OneLayer, option, value);

        AssertRefused(result, option, $"'{value}'");
    }

    [Fact]
    public void A_report_path_that_names_a_layer_file_of_the_manifest_is_refused_and_the_layer_kept()
    {
        using var temp = new TempDirectory();
        var manifest = temp.Write("model.json",
            """{ "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ "a.csv" ] } ] }""");
        var layer = temp.Write("a.csv", "-1,0.5\n0.25,-1\n");

        var result = Cli.Run("certify", manifest, "--json", layer);

        AssertRefused(result, "--json: ", "is a layer file of the model", "a.csv");
        Assert.Equal("-1,0.5\n0.25,-1\n", File.ReadAllText(layer));
    }

    [Fact]
    public void A_report_path_that_is_the_model_under_another_name_is_refused_and_the_model_kept()
    {
        using var temp = new TempDirectory();
        var model = temp.Write("w.csv", "-1,0.5\n0.25,-1\n");
        var link = Path.Combine(temp.Path, "link.csv");
        File.CreateSymbolicLink(link, model);

        var result = Cli.Run("certify", link, "--json", model);

        AssertRefused(result, "--json: ", "is the model file itself");
        Assert.Equal("-1,0.5\n0.25,-1\n", File.ReadAllText(model));
    }

    [Fact]
    public void An_option_name_in_place_of_the_report_path_is_a_usage_error_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        var before = Directory.GetCurrentDirectory();

        var result = Cli.Run("certify", OneLayer, "--json", "--c");

        AssertRefused(result, "--json: ", "expected a file path, got '--c'");
        Assert.False(File.Exists(Path.Combine(before, "--c")));
    }

    [Fact]
    public void An_unknown_command_is_named_in_the_usage_error()
    {
        var result = Cli.Run("frobnicate");

        AssertRefused(result, "usage: ", "'frobnicate'");
    }

    [Fact]
    public void A_missing_model_argument_is_a_usage_error()
    {
        var result = Cli.Run("certify");

        AssertRefused(result, "usage: ", "Required argument missing");
    }

    /// <summary>Exit code 2, nothing on stdout, one line on stderr holding every fragment and no stack trace.</summary>
    private static void AssertRefused(CliResult result, string culprit, params string[] fragments)
    {
        Assert.True(result.ExitCode == CliApplication.BadInput, result.ToString());
        Assert.True(result.Stdout.Length == 0, result.ToString());
        Assert.True(result.ErrorLines.Length == 1, result.ToString());
        var line = result.ErrorLines[0];
        Assert.EndsWith(Environment.NewLine, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        foreach (var fragment in fragments.Prepend(culprit))
        {
            Assert.True(line.Contains(fragment, StringComparison.Ordinal),
                $"expected stderr to contain{Environment.NewLine}  {fragment}{Environment.NewLine}"
                + $"but it is{Environment.NewLine}  {line}");
        }
    }

    private static string[] Entries(string directory) =>
        Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Select(e => Path.GetRelativePath(directory, e))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string Bad(string file) => Path.Combine(TestPaths.Fixtures, "loading", "bad", file);

    /// <summary>A bad model file; the message must name it.</summary>
    private static Scenario Model(string path, params string[] fragments) => new([path], path, fragments);

    /// <summary>A bad option on a good model; the message must name the option.</summary>
    private static Scenario Option(string[] option, string culprit, params string[] fragments) =>
        new([OneLayer, .. option], culprit, fragments);

    /// <summary>The arguments after <c>certify</c> (without --json) and what the error line must contain.</summary>
    private sealed record Scenario(string[] Args, string Culprit, string[] Fragments);
}
