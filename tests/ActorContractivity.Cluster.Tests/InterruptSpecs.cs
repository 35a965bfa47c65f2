using System.Diagnostics;
using System.Globalization;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// <c>certify</c> interrupted by SIGINT or SIGTERM while its in-process node works on a long job: the process ends at
/// once with exit code 130 and one line on standard error, and leaves no report behind.
/// </summary>
public sealed class InterruptSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-interrupt-").FullName;

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task An_interrupted_certify_exits_with_130_and_writes_no_report(string signal)
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

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "actorcontractivity.dll"), "certify", model, "--json",
                     report,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.False(process.HasExited, "certify ended before it could be interrupted");

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        var exited = process.WaitForExit(10_000);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.True(exited, $"certify still ran {clock.Elapsed.TotalSeconds:F0} s after SIG{signal}");
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("certify: interrupted; no report was written", (await error).Trim());
        Assert.False(File.Exists(report));
        Assert.Empty(Directory.GetFiles(_directory, "*report*"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
