using System.Buffers.Binary;
using ActorContractivity.Cli.Tests.Loading;
using CommandLine = ActorContractivity.Cli.Tests.EndToEnd.Cli;

namespace ActorContractivity.Cli.Tests.Mnist;

/// <summary>
/// Bad input to every <c>mnist</c> step: exit code 2, one line on stderr naming the file, field or option, nothing on
/// stdout and no file written.
/// </summary>
public sealed class MnistBadInputTests
{
    private static readonly Dictionary<string, Func<TempDirectory, Scenario>> Scenarios = new()
    {
        ["a data directory that does not exist"] = t => Train(t, Path.Combine(t.Path, "nowhere"), [],
            "nowhere", "directory not found"),
        ["a data directory without digits"] = t => Train(t, Data(t), [], "no MNIST data found"),
        ["images of the wrong size"] = t => Train(t, Data(t, Images(2, 27, 29), Labels(1, 2)), [],
            "train-images-idx3-ubyte", "27×29", "28×28"),
        ["a label out of range"] = t => Train(t, Data(t, Images(2, 28, 28), Labels(4, 10)), [],
            "train-labels-idx1-ubyte", "label 1 (0-based) is 10"),
        ["truncated labels"] = t => Train(t, Data(t, Images(2, 28, 28), Truncated(Labels(4, 1), 9)), [],
            "train-labels-idx1-ubyte", "truncated"),
        ["npm digits that are not JSON"] = t => Train(t, Npm(t, "{\"data\": [0.1, "), [], "0.json", "not valid JSON"),
        ["more digits than the data holds"] = t => Train(t, MnistEndToEndTests.Digits, ["--train-size", "5000"],
            "--train-size 5000", "holds 600"),
        ["--n 0"] = t => Train(t, MnistEndToEndTests.Digits, ["--n", "0"], "--n: ", "got 0"),
        ["--epochs -1"] = t => Train(t, MnistEndToEndTests.Digits, ["--epochs", "-1"], "--epochs: "),
        ["--lr 0"] = t => Train(t, MnistEndToEndTests.Digits, ["--lr", "0"], "--lr: "),
        ["--n abc"] = t => Train(t, MnistEndToEndTests.Digits, ["--n", "abc"], "usage: ", "'abc'"),
        ["--out naming a file"] = t => new Scenario(["mnist", "train", "--data", MnistEndToEndTests.Digits,
            "--train-size", "500", "--test-size", "100", "--out", t.Write("taken", "x")], ["--out: ", "is a file"]),
        ["certify without a model"] = t => new Scenario(["mnist", "certify", "--out", t.Path],
            ["baseline", "model directory not found"]),
        ["certify a model whose description is corrupt"] = t => new Scenario(
            ["mnist", "certify", "--model", Path.GetDirectoryName(t.Write(Path.Combine("m", "ode.json"), "{ no"))!],
            ["ode.json", "not a model description"]),
        ["certify with a negative budget"] = t => new Scenario(["mnist", "certify", "--out", t.Path, "--budget", "-1"],
            ["--budget: "]),
        ["stabilise without a baseline"] = t => new Scenario(["mnist", "stabilise", "--data",
            MnistEndToEndTests.Digits, "--out", t.Path], ["baseline", "model directory not found"]),
        ["stabilise with a target slope above 1"] = t => new Scenario(["mnist", "stabilise", "--data",
            MnistEndToEndTests.Digits, "--out", t.Path, "--target-slope", "1.5"], ["--target-slope: ", "1.5"]),
        ["attack without models"] = t => new Scenario(["mnist", "attack", "--data", MnistEndToEndTests.Digits,
            "--out", t.Path], ["baseline", "model directory not found"]),
        ["an attack budget that is not a number"] = t => new Scenario(["mnist", "attack", "--out", t.Path, "--eps",
            "0.1,abc"], ["--eps: ", "\"abc\" is not a number"]),
        ["an attack budget above 1"] = t => new Scenario(["mnist", "attack", "--out", t.Path, "--eps", "2"],
            ["--eps: ", "got 2"]),
        ["all with no PGD steps"] = t => new Scenario(["mnist", "all", "--data", MnistEndToEndTests.Digits, "--out",
            Path.Combine(t.Path, "run"), "--pgd-steps", "0"], ["--pgd-steps: "]),
        ["a decimal comma in --time"] = t => Train(t, MnistEndToEndTests.Digits, ["--time", "0,5"],
            "--time: ", "'0,5' is not a number", "point"),
        ["a decimal comma in --lr"] = t => Train(t, MnistEndToEndTests.Digits, ["--lr", "0,003"],
            "--lr: ", "'0,003' is not a number"),
        ["a decimal comma in certify's --c"] = t => new Scenario(["mnist", "certify", "--out", t.Path, "--c", "0,1"],
            ["--c: ", "'0,1' is not a number"]),
        ["--steps beyond the whole numbers"] = t => Train(t, MnistEndToEndTests.Digits, ["--steps", "99999999999"],
            "--steps: ", "[1, 10000]", "got 99999999999"),
        ["an empty --out"] = t => new Scenario(["mnist", "train", "--data", MnistEndToEndTests.Digits, "--out", ""],
            ["--out: the path is empty"]),
        ["an empty --data"] = t => Train(t, "", [], "--data: the path is empty"),
        ["an empty item in --eps"] = t => new Scenario(["mnist", "attack", "--out", t.Path, "--eps", "0.05,,0.1"],
            ["--eps: ", "item 2 of \"0.05,,0.1\" is empty"]),
        ["a repeated value in --noise"] = t => new Scenario(["mnist", "attack", "--out", t.Path, "--noise",
            "0.05,0.05"], ["--noise: ", "0.05 is given twice"]),
        ["a decimal comma in --eps"] = t => new Scenario(["mnist", "attack", "--out", t.Path, "--eps", "0,05"],
            ["--eps: ", "got 0", "item 1 of \"0,05\"", "commas separate the items"]),
        ["a file where the baseline goes"] = t => new Scenario(["mnist", "train", "--data", MnistEndToEndTests.Digits,
            "--train-size", "500", "--test-size", "100", "--out", Path.GetDirectoryName(t.Write("run/baseline", "x"))!],
            ["--out: ", "baseline' is a file"]),
        ["a file where the stabilised model goes"] = t => Experiment(t, "stabilise", e =>
            {
                Directory.Delete(Path.Combine(e, "stabilised"), recursive: true);
                File.WriteAllText(Path.Combine(e, "stabilised"), "x");
            }, "--out: ", "stabilised' is a file"),
        ["all with a file where the stabilised model goes"] = t => new Scenario(["mnist", "all",
            .. TrainedExperiment.Split, "--out", Path.GetDirectoryName(t.Write("run/stabilised", "x"))!],
            ["--out: ", "stabilised' is a file"]),
        ["attack with a baseline but no stabilised model"] = t => Experiment(t, "attack",
            e => Directory.Delete(Path.Combine(e, "stabilised"), recursive: true),
            "stabilised: model directory not found", "'actorcontractivity mnist stabilise'"),
        ["attack on a stabilised model without a certificate"] = t => Experiment(t, "attack",
            e => TrainedExperiment.EditInfo(Path.Combine(e, "stabilised"), info => info["certificate"] = null),
            "stabilised: is not a finished stabilised model: it has no certificate", "stabilise the baseline again"),
        ["attack on a stabilised model whose fine-tune never ran"] = t => Experiment(t, "attack",
            e => TrainedExperiment.EditInfo(Path.Combine(e, "stabilised"),
                info => info["training"]!.AsArray().RemoveAt(info["training"]!.AsArray().Count - 1)),
            "stabilised: is not a finished stabilised model: its fine-tune never ran"),
        ["attack on a stabilised model of a baseline trained again"] = t => Experiment(t, "attack", e =>
            {
                var again = CommandLine.Run(["mnist", "train", .. TrainedExperiment.Split, "--out", e, "--n", "8",
                    "--epochs", "2", "--batch", "10"]);
                Assert.True(again.ExitCode == 0, again.ToString());
            }, "stabilised: was stabilised from another baseline", "stabilise the baseline again"),
        ["attack on a stabilised model whose A changed since its certificate"] = t => Experiment(t, "attack",
            e => TrainedExperiment.ScaleWeights(Path.Combine(e, "stabilised"), 3),
            Path.Combine("stabilised", "A.npy") + ": A has changed since it was certified", "certificate is stale"),
        ["attack where results.md is a directory"] = t => Experiment(t, "attack", e =>
            {
                File.Delete(Path.Combine(e, "results.md"));
                Directory.CreateDirectory(Path.Combine(e, "results.md"));
            }, "--out: ", "results.md' is a directory"),
    };

    public static TheoryData<string> Names => new(Scenarios.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_exits_with_2_and_one_line_naming_the_culprit_and_writes_nothing(string name)
    {
        using var temp = new TempDirectory();
        var scenario = Scenarios[name](temp);
        var before = Entries(temp.Path);

        var result = CommandLine.Run(scenario.Args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Single(result.ErrorLines);
        Assert.Empty(result.Stdout);
        foreach (var fragment in scenario.Fragments)
        {
            Assert.Contains(fragment, result.Stderr);
        }

        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal(before, Entries(temp.Path));
    }

    private sealed record Scenario(string[] Args, string[] Fragments);

    /// <summary>A step run on a copy of the trained experiment after <paramref name="spoil"/> changed it.</summary>
    private static Scenario Experiment(
        TempDirectory temp, string step, Action<string> spoil, params string[] fragments)
    {
        var experiment = TrainedExperiment.CopyTo(Path.Combine(temp.Path, "run"));
        spoil(experiment);
        string[] settings = step == "attack" ? TrainedExperiment.Attacks : ["--batch", "10"];
        return new Scenario(["mnist", step, .. TrainedExperiment.Split[..2], "--out", experiment, .. settings],
            fragments);
    }

    private static Scenario Train(TempDirectory temp, string data, string[] extra, params string[] fragments) =>
        new(["mnist", "train", "--data", data, "--out", Path.Combine(temp.Path, "run"), .. extra], fragments);

    private static string Data(TempDirectory temp, params (string Name, byte[] Bytes)[] files)
    {
        var directory = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in files)
        {
            temp.Write(Path.Combine("data", name), bytes);
        }

        return directory;
    }

    private static string Npm(TempDirectory temp, string zero)
    {
        for (var label = 1; label < 10; label++)
        {
            temp.Write(Path.Combine("npm", $"{label}.json"), "{\"data\": []}");
        }

        temp.Write(Path.Combine("npm", "0.json"), zero);
        return Path.Combine(temp.Path, "npm");
    }

    private static (string, byte[]) Images(int count, int rows, int cols)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        return ("train-images-idx3-ubyte", bytes);
    }

    private static (string, byte[]) Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return ("train-labels-idx1-ubyte", bytes);
    }

    private static (string, byte[]) Truncated((string Name, byte[] Bytes) file, int length) =>
        (file.Name, file.Bytes[..length]);

    private static string[] Entries(string directory) => Directory
        .GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
}
