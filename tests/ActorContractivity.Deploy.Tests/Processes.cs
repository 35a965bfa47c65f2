using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// The processes a test starts (the <c>actorcontractivity</c> command from the test's build output, or any other
/// program), with their output kept for messages. Disposing kills every one still running, by its own PID.
/// </summary>
public sealed class Processes : IDisposable
{
    private readonly List<Started> _started = [];

    /// <summary>Starts <c>dotnet actorcontractivity.dll ARGS</c> with only the given settings variables.</summary>
    public Started Cli(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actorcontractivity.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var inherited in start.Environment.Keys
                     .Where(k => k.StartsWith(ContractivitySettings.EnvironmentPrefix,
                         StringComparison.OrdinalIgnoreCase))
                     .ToArray())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Start(name, start);
    }

    /// <summary>Starts any program.</summary>
    public Started Start(string name, ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var started = new Started(name, new Process { StartInfo = start });
        _started.Add(started);
        started.Begin();
        return started;
    }

    /// <summary>The output of every process, for a failure message.</summary>
    public string Outputs(int lastLines = 40) =>
        string.Join("\n", _started.Select(s => $"--- {s.Name} ---\n{s.Tail(lastLines)}"));

    /// <summary>
    /// Kills every process still running. With CONTRACTIVITY_TEST_LOGS set to a directory, every process's output is
    /// saved there (NAME-N.log) for a look after a failure.
    /// </summary>
    public void Dispose()
    {
        var logs = System.Environment.GetEnvironmentVariable("CONTRACTIVITY_TEST_LOGS");
        for (var i = 0; i < _started.Count && !string.IsNullOrEmpty(logs); i++)
        {
            Directory.CreateDirectory(logs);
            File.WriteAllText(Path.Combine(logs, $"{_started[i].Name.Replace(' ', '-')}-{i}.log"), _started[i].Output);
        }

        foreach (var started in _started)
        {
            started.Kill();
            started.Dispose();
        }
    }

    /// <summary>Free TCP ports on the loopback address (bound together, then released).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>Polls until the condition holds; fails with the description and every process's output.</summary>
    public void WaitFor(Func<bool> condition, TimeSpan patience, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < patience,
                $"timed out after {patience.TotalSeconds:0} s waiting for {what}\n{Outputs()}");
            Thread.Sleep(200);
        }
    }

    /// <summary>A process the test started.</summary>
    public sealed class Started : IDisposable
    {
        private const int SigInt = 2;
        private const int SigTerm = 15;
        private readonly StringBuilder _output = new();

        internal Started(string name, Process process)
        {
            Name = name;
            Process = process;
        }

        /// <summary>A name for messages.</summary>
        public string Name { get; }

        /// <summary>The process.</summary>
        public Process Process { get; }

        /// <summary>Everything it wrote to stdout and stderr so far.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Sends SIGTERM, as a container platform does to stop a container.</summary>
        public void Terminate() => Assert.Equal(0, kill(Process.Id, SigTerm));

        /// <summary>Sends SIGINT (PostgreSQL: fast shutdown).</summary>
        public void Interrupt() => Assert.Equal(0, kill(Process.Id, SigInt));

        /// <summary>Waits for the exit and returns the exit code; fails if it takes longer than the patience.</summary>
        public int Exit(TimeSpan patience)
        {
            Assert.True(Process.WaitForExit(patience),
                $"{Name} still runs after {patience.TotalSeconds:0} s\n{Tail(40)}");
            Process.WaitForExit();
            return Process.ExitCode;
        }

        /// <summary>The last lines of the output.</summary>
        public string Tail(int lines) => string.Join("\n", Output.Split('\n').TakeLast(lines));

        /// <summary>SIGKILL, if it still runs.</summary>
        public void Kill()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // It never started or is already gone.
            }
        }

        /// <inheritdoc />
        public void Dispose() => Process.Dispose();

        internal void Begin()
        {
            Process.OutputDataReceived += (_, e) => Append(e.Data);
            Process.ErrorDataReceived += (_, e) => Append(e.Data);
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
