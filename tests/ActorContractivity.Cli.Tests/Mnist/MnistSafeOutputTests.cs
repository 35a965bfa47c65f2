using System.Diagnostics;
using ActorContractivity.Cli.Tests.Loading;
using CommandLine = ActorContractivity.Cli.Tests.EndToEnd.Cli;

namespace ActorContractivity.Cli.Tests.Mnist;

/// <summary>
/// A step that is killed or fails keeps the model it would have replaced, and leaves nothing a later step reads.
/// </summary>
public sealed class MnistSafeOutputTests
{
    [Theory]
    [InlineData("train", "baseline", "baseline   epoch")]
    [InlineData("stabilise", "stabilised", "penalty round 1 epoch")]
    public void A_step_killed_mid_run_leaves_the_previous_model_intact(string step, string model, string progress)
    {
        using var temp = new TempDirectory();
        var experiment = TrainedExperiment.CopyTo(Path.Combine(temp.Path, "run"));
        var before = TrainedExperiment.Contents(experiment);
        string[] Run(int epochs) => step == "train"
            ? ["mnist", step, .. TrainedExperiment.Split, "--out", experiment, "--n", "8", "--batch", "10",
                "--epochs", $"{epochs}"]
            : ["mnist", step, .. TrainedExperiment.Split[..2], "--out", experiment, "--batch", "10",
                "--penalty-epochs", $"{epochs}", "--penalty-rounds", "6"];

        KillWhenPrinted(progress, Run(10_000));

        Assert.Single(Directory.GetDirectories(experiment, $".{model}.partial-*"));
        Assert.Equal(before, new SortedDictionary<string, string>(TrainedExperiment.Contents(experiment)
            .Where(file => !file.Key.StartsWith('.')).ToDictionary(), StringComparer.Ordinal));

        // The next run of the step clears what the killed one left.
        var rerun = CommandLine.Run(Run(5));
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(["baseline", "stabilised"], Directory.GetFileSystemEntries(experiment)
            .Select(Path.GetFileName).Where(name => !name!.StartsWith("results", StringComparison.Ordinal)
                && name != "accuracy.png")
            .Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_stabilise_that_finds_no_interval_writes_nothing_and_names_other_settings()
    {
        using var temp = new TempDirectory();
        var experiment = TrainedExperiment.CopyTo(Path.Combine(temp.Path, "run"));
        var before = TrainedExperiment.Contents(experiment);

        var result = CommandLine.Run(["mnist", "stabilise", .. TrainedExperiment.Split[..2], "--out", experiment,
            "--batch", "10", "--penalty-rounds", "1", "--penalty-epochs", "1", "--penalty-weight", "1e-9"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(before, TrainedExperiment.Contents(experiment));
        var remedy = Assert.Single(result.OutputLines, line => line.StartsWith("remedy", StringComparison.Ordinal));
        Assert.DoesNotContain("mnist stabilise", remedy);
        foreach (var option in new[] { "--penalty-rounds", "--penalty-epochs", "--penalty-weight", "--target-slope" })
        {
            Assert.Contains(option, remedy);
        }

        Assert.Contains("nothing was saved", remedy);
        var attack = CommandLine.Run(["mnist", "attack", .. TrainedExperiment.Split[..2], "--out", experiment,
            .. TrainedExperiment.Attacks]);
        Assert.True(attack.ExitCode == 0, attack.ToString());
    }

    /// <summary>
    /// Runs the command line as a process and kills it (SIGKILL) once it prints <paramref name="line"/>.
    /// </summary>
    private static void KillWhenPrinted(string line, string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host
            ? host
            : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CommandLine.ExecutableDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var printed = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(line, StringComparison.Ordinal) == true)
            {
                printed.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var seen = printed.Task.Wait(TimeSpan.FromSeconds(120));
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.True(seen, $"'{line}' was not printed within 120 s (exit code {process.ExitCode})");
    }
}
