using System.Diagnostics;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// The <c>actorcontractivity</c> processes a spec starts (the tool's build beside the tests, run by dotnet), with
/// standard output and error redirected; every one still running is killed when the spec is disposed.
/// </summary>
public sealed class ToolProcesses(string workingDirectory) : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <summary>Environment variables every process started from now on gets.</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Starts the tool with the arguments; the caller reads (or drains) its output.</summary>
    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorcontractivity.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        _processes.Add(process);
        return process;
    }

    /// <summary>Kills what still runs.</summary>
    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }
    }
}
