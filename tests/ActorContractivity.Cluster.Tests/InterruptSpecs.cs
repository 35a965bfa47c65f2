using System.Diagnostics;
using System.Globalization;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// <c>certify</c> interrupted by SIGINT or SIGTERM while its in-process node starts or works on a long job, and
/// <c>generate</c> interrupted while it writes: the process ends at once with exit code 130 and one line on standard
/// error, and leaves no report or output directory behind.
/// </summary>
public sealed class InterruptSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-interrupt-").FullName;
    private readonly ToolProcesses _processes;

    public InterruptSpecs() => _processes = new ToolProcesses(_directory);

    [Theory]
    [InlineData("INT", 1.8)] // while the in-process node starts
    [InlineData("TERM", 1.8)]
    [InlineData("INT", 4.0)] // while the job runs
    [InlineData("TERM", 4.0)]
    public async Task An_interrupted_certify_exits_with_130_and_writes_no_report(string signal, double after)
    {
        // A = −1.6·I + G, G with N(0, 1/n) entries, n = 700: the lower end is interior and a certified answer takes
        // tens of seconds, far longer than the wait below.
        const int n = 700;
        var model = Path.Combine(_directory, "big.csv");
        var random = new Random(3);
        File.WriteAllLines(model, Enumerable.Range(0, n).Select(i => string.Join(',',
            Enumerable.Range(0, n).Select(j => (TestModels.Normal(random) / Math.Sqrt(n) - (i == j ? 1.6 : 0))
                .ToString("R", CultureInfo.InvariantCulture)))));
        var report = Path.Combine(_directory, "report.json");

        var process = Start("certify", model, "--json", report);
        var error = process.StandardError.ReadToEndAsync();
        Thread.Sleep(TimeSpan.FromSeconds(after));
        Assert.False(process.HasExited, "certify ended before it could be interrupted");

        Interrupt(process, signal);
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("certify: interrupted; no report was written", (await error).Trim());
        Assert.False(File.Exists(report));
        Assert.Empty(Directory.GetFiles(_directory, "*report*"));
    }

    [Fact]
    public async Task An_interrupted_generate_exits_with_130_and_leaves_no_output_directory()
    {
        var output = Path.Combine(_directory, "resnet");
        var process = Start("generate", "resnet", "--blocks", "200", "--width", "256", "--out", output);
        var error = process.StandardError.ReadToEndAsync();
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.False(process.HasExited, "generate ended before it could be interrupted");

        Interrupt(process, "INT");
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("generate: interrupted; the output directory was not written", (await error).Trim());
        Assert.False(Directory.Exists(output));
    }

    public void Dispose()
    {
        _processes.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Process Start(params string[] args)
    {
        var process = _processes.Start(args);
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    /// <summary>Sends the signal and waits (at most 10 s) for the process to end.</summary>
    private static void Interrupt(Process process, string signal)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(process.WaitForExit(10_000),
            $"the process still ran {clock.Elapsed.TotalSeconds:F0} s after SIG{signal}");
    }
}
