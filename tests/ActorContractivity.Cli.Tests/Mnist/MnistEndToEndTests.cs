using System.Text.Json;
using ActorContractivity.Cli.Tests.Loading;
using CommandLine = ActorContractivity.Cli.Tests.EndToEnd.Cli;

namespace ActorContractivity.Cli.Tests.Mnist;

/// <summary>
/// The MNIST experiment through the real commands on the committed fixture of 600 real digits: small models, one
/// epoch, so each run takes seconds.
/// </summary>
public sealed class MnistEndToEndTests
{
    public static string Digits => Path.Combine(TestPaths.RepositoryRoot, "tests", "ActorContractivity.NeuralOde.Tests",
        "fixtures", "idx");

    [Fact]
    public void Train_certify_stabilise_and_attack_run_end_to_end_on_a_few_hundred_real_digits()
    {
        using var temp = new TempDirectory();
        var common = new[] { "--data", Digits, "--out", temp.Path };

        var train = CommandLine.Run(["mnist", "train", .. common, "--train-size", "500", "--test-size", "100",
            "--n", "16", "--epochs", "1", "--batch", "16"]);
        Assert.True(train.ExitCode == 0, train.ToString());
        var baseline = Path.Combine(temp.Path, "baseline");
        var trained = Json(Path.Combine(baseline, "ode.json"));
        Assert.InRange(trained.GetProperty("training")[0].GetProperty("testAccuracy").GetDouble(), 0.5, 1.0);

        var plain = CommandLine.Run(["certify", Path.Combine(baseline, "model.json")]);
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains("no interval exists", plain.Stdout);

        var certify = CommandLine.Run(["mnist", "certify", "--out", temp.Path]);
        Assert.True(certify.ExitCode == 1, certify.ToString());
        Assert.Contains("remedy", certify.Stdout);
        Assert.False(Json(Path.Combine(baseline, "certify.json")).GetProperty("feasible").GetBoolean());
        Assert.False(Json(Path.Combine(baseline, "ode.json")).GetProperty("certificate").GetProperty("feasible")
            .GetBoolean());

        var stabilise = CommandLine.Run(["mnist", "stabilise", .. common, "--penalty-epochs", "4",
            "--penalty-rounds", "8", "--batch", "16"]);
        Assert.True(stabilise.ExitCode == 0, stabilise.ToString());
        var stabilised = Path.Combine(temp.Path, "stabilised");
        var info = Json(Path.Combine(stabilised, "ode.json"));
        var certificate = info.GetProperty("certificate");
        var slope = info.GetProperty("slope").GetDouble();
        Assert.Equal("exact", certificate.GetProperty("status").GetString());
        Assert.Equal(certificate.GetProperty("slope").GetDouble(), slope);
        Assert.InRange(slope, 1e-3, 0.999);

        // The certificate is certify's own answer: the plain command on the saved manifest and c' agrees with it.
        var report = Path.Combine(temp.Path, "again.json");
        var flowBound = certificate.GetProperty("flowBound").GetDouble();
        var again = CommandLine.Run(["certify", Path.Combine(stabilised, "model.json"), "--c",
            flowBound.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--json", report]);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(slope, Json(report).GetProperty("lower").GetDouble());

        var attack = CommandLine.Run(["mnist", "attack", .. common, "--eps", "0.05,0.1", "--noise", "0.2",
            "--pgd-steps", "3"]);
        Assert.True(attack.ExitCode == 0, attack.ToString());
        var results = Json(Path.Combine(temp.Path, "results.json"));
        var models = results.GetProperty("models");
        Assert.Equal(JsonValueKind.Null, models[0].GetProperty("contractionBound").ValueKind);
        Assert.InRange(models[0].GetProperty("robustness").GetProperty("cleanAccuracy").GetDouble(), 0.5, 1.0);
        var bound = models[1].GetProperty("contractionBound").GetDouble();
        var pairs = models[1].GetProperty("robustness").GetProperty("allPairs");
        Assert.Equal(1.0, bound);
        Assert.Equal(100 * (5 + 2), pairs.GetProperty("pairs").GetInt32());
        Assert.InRange(pairs.GetProperty("max").GetDouble(), 0.0, bound);
        Assert.True(models[1].GetProperty("boundHolds").GetBoolean());
        var jacobian = models[1].GetProperty("robustness").GetProperty("jacobian");
        Assert.Equal(100, jacobian.GetProperty("digits").GetInt32());
        var worstDirection = models[1].GetProperty("robustness").GetProperty("worstDirection");
        Assert.Equal(2 * 100, worstDirection.GetProperty("pairs").GetInt32());
        var direction = worstDirection.GetProperty("max").GetDouble();
        Assert.InRange(jacobian.GetProperty("max").GetDouble(), direction * (1 - 1e-2), bound);
        Assert.Equal(0, jacobian.GetProperty("unconverged").GetInt32());
        Assert.Equal(5, models[1].GetProperty("robustness").GetProperty("attacks").GetArrayLength());
        AssertResultFiles(temp.Path);
    }

    [Fact]
    public void All_runs_the_whole_pipeline_and_writes_the_table_the_json_and_the_plot()
    {
        using var temp = new TempDirectory();

        var result = CommandLine.Run(["mnist", "all", "--data", Digits, "--out", temp.Path, "--train-size", "300",
            "--test-size", "60", "--n", "8", "--epochs", "1", "--batch", "10", "--penalty-epochs", "5",
            "--penalty-rounds", "6", "--eps", "0.1", "--noise", "0.2", "--pgd-steps", "2"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("done", result.OutputLines[^1]);
        AssertResultFiles(temp.Path);
        var seconds = Json(Path.Combine(temp.Path, "results.json")).GetProperty("seconds");
        foreach (var step in new[] { "train", "certify baseline", "stabilise", "attack", "total" })
        {
            Assert.True(seconds.GetProperty(step).GetDouble() >= 0, step);
        }
    }

    [Fact]
    public void Mnist_help_names_every_step()
    {
        var result = CommandLine.Run(["mnist", "--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (var step in new[] { "train", "certify", "stabilise", "attack", "all" })
        {
            Assert.Contains(step, result.Stdout);
        }
    }

    private static void AssertResultFiles(string directory)
    {
        var table = File.ReadAllText(Path.Combine(directory, "results.md"));
        Assert.Contains("| model | clean |", table);
        Assert.Contains("| baseline (tanh) |", table);
        Assert.Contains("stabilised (σ_ℓ, ℓ = ", table);
        Assert.Contains("(holds)", table);
        var png = File.ReadAllBytes(Path.Combine(directory, "accuracy.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 10_000, $"the plot has only {png.Length} bytes");
        Assert.Empty(Directory.GetFiles(directory, "*.tmp*", SearchOption.AllDirectories));
    }

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;
}
