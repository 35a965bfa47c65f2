using System.Text.Json;
using System.Text.Json.Nodes;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Mnist;
using CommandLine = ActorContractivity.Cli.Tests.EndToEnd.Cli;

namespace ActorContractivity.Cli.Tests.Mnist;

/// <summary>
/// One small finished experiment (baseline, stabilised model and results on the committed digits), made once per test
/// run; tests work on copies of it.
/// </summary>
public static class TrainedExperiment
{
    /// <summary>The split every copy was trained on.</summary>
    public static readonly string[] Split = ["--data", MnistEndToEndTests.Digits, "--train-size", "300",
        "--test-size", "60"];

    /// <summary>The attack settings that make the results quickly.</summary>
    public static readonly string[] Attacks = ["--eps", "0.1", "--noise", "0.2", "--pgd-steps", "2"];

    private static readonly Lazy<string> Original = new(Make);

    /// <summary>Copies the experiment into <paramref name="directory"/> (created) and returns it.</summary>
    public static string CopyTo(string directory)
    {
        Copy(Original.Value, directory);
        return directory;
    }

    /// <summary>The bytes of every file under <paramref name="directory"/>, by relative path.</summary>
    public static SortedDictionary<string, string> Contents(string directory) => new(Directory
        .GetFiles(directory, "*", SearchOption.AllDirectories)
        .ToDictionary(file => Path.GetRelativePath(directory, file),
            file => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)))),
        StringComparer.Ordinal);

    /// <summary>Rewrites a model's <c>ode.json</c> through <paramref name="edit"/>.</summary>
    public static void EditInfo(string modelDirectory, Action<JsonNode> edit)
    {
        var path = Path.Combine(modelDirectory, "ode.json");
        var info = JsonNode.Parse(File.ReadAllText(path))!;
        edit(info);
        File.WriteAllText(path, info.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Multiplies a model's A by <paramref name="factor"/> in place.</summary>
    public static void ScaleWeights(string modelDirectory, double factor)
    {
        var path = Path.Combine(modelDirectory, "A.npy");
        var a = NpyReader.Read(path);
        var scaled = a.RowMajorValues.ToArray().Select(v => factor * v).ToArray();
        File.WriteAllBytes(path, NpyWriter.Float64(scaled, a.Rows, a.Cols));
    }

    private static string Make()
    {
        var directory = Directory.CreateTempSubdirectory("actorcontractivity-mnist-experiment-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        var result = CommandLine.Run(["mnist", "all", .. Split, "--out", directory, "--n", "8", "--epochs", "1",
            "--batch", "10", "--penalty-epochs", "5", "--penalty-rounds", "6", .. Attacks]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"the experiment fixture failed: {result}");
        }

        return directory;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
