using System.Diagnostics;
using System.Text;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>What one run of the command line produced.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Everything written to standard output.</param>
/// <param name="Stderr">Everything written to standard error.</param>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Lines(Stderr);

    /// <summary>The non-empty lines of standard output.</summary>
    public string[] OutputLines => Lines(Stdout);

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() =>
        $"exit code {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}"
        + $"--- stderr ---{Environment.NewLine}{Stderr}";

    private static string[] Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Where(l => l.Length > 0).ToArray();
}

/// <summary>Runs <c>actorcontractivity</c> in-process (<see cref="CliApplication.Run"/>) or as a process.</summary>
public static class Cli
{
    /// <summary>The built executable, copied next to the test assembly by the project reference.</summary>
    public static string ExecutableDll => Path.Combine(AppContext.BaseDirectory, "actorcontractivity.dll");

    /// <summary>Runs the command line in-process with string writers for both streams.</summary>
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = CliApplication.Run(args, output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>dotnet actorcontractivity.dll ARGS</c> as a separate process.</summary>
    public static CliResult RunProcess(params string[] args) => RunProcessIn(AppContext.BaseDirectory, args);

    /// <summary>Runs <c>dotnet actorcontractivity.dll ARGS</c> as a separate process in the given directory.</summary>
    public static CliResult RunProcessIn(string workingDirectory, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))
            ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"actorcontractivity {string.Join(' ', args)} ran for more than 60 s");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>How to start <c>dotnet actorcontractivity.dll ARGS</c> in a directory, all three streams redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(ExecutableDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>
    /// The <c>dotnet</c> host: the one the test run uses (DOTNET_HOST_PATH, or this process when it is the
    /// muxer), else whatever <c>dotnet</c> is on the PATH.
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }
}
