using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// Three <c>actorcontractivity node</c> processes on 127.0.0.1 (a coordinator without workers, two nodes with one
/// worker each) run a 32-sample job submitted with <c>certify --cluster</c>. A worker process is killed (SIGKILL)
/// mid-job, and in a second job the coordinator's process is killed and restarted on the same journal; both jobs
/// must end with exactly the interval of the single-process run. Every process started is killed at the end.
/// </summary>
public sealed class MultiProcessSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-cluster-").FullName;
    private readonly ToolProcesses _processes;
    private readonly int[] _ports = FreePorts(3);

    public MultiProcessSpecs()
    {
        _processes = new ToolProcesses(_directory);
        _processes.Environment["ACTORCONTRACTIVITY_Workers__Count"] = "1";
        _processes.Environment["ACTORCONTRACTIVITY_Node__DownUnreachableAfterSeconds"] = "2";
        _processes.Environment["ACTORCONTRACTIVITY_Dispatch__LeaseSeconds"] = "10";
    }

    [Fact]
    public void Jobs_survive_a_killed_worker_process_and_a_killed_and_restarted_coordinator_with_the_same_interval()
    {
        // 64 samples: the jobs must still be running when the test, polling status once a second, kills a process.
        var model = WriteModel(samples: 64, n: 28);
        var expected = Interval(RunCli("certify", model, "--certify", "off", "--json", Report("local")));

        var coordinator = StartNode(0, "coordinator");
        StartNode(1, "worker");
        var doomed = StartNode(2, "worker");
        WaitFor(() => Status().Contains("live workers: 2", StringComparison.Ordinal), "two workers to register");

        // A worker process dies mid-job: its task is issued again to the other worker.
        var first = StartCli("certify", model, "--certify", "off", "--cluster", Address(1), "--json", Report("first"));
        WaitFor(() => OuterStep() >= 2, "the first job to reach outer step 2");
        doomed.Kill();
        Assert.Equal(0, Finish(first));
        Assert.Equal(expected, Interval(File.ReadAllText(Report("first"))));

        // The coordinator's process dies and comes back on the same journal: the job resumes and finishes.
        StartNode(2, "worker");
        WaitFor(() => Status().Contains("live workers: 2", StringComparison.Ordinal), "the new worker to register");
        var second = StartCli(
            "certify", model, "--certify", "off", "--cluster", Address(1), "--json", Report("second"));
        WaitFor(() => OuterStep() >= 2 && Status().Contains("  running  ", StringComparison.Ordinal),
            "the second job to reach outer step 2");
        coordinator.Kill();
        StartNode(0, "coordinator");
        Assert.Equal(0, Finish(second));
        Assert.Equal(expected, Interval(File.ReadAllText(Report("second"))));
    }

    public void Dispose()
    {
        _processes.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }

    /// <summary>The interval and bracket of a report, as written (to the last digit).</summary>
    private static string Interval(string reportJson)
    {
        using var report = JsonDocument.Parse(reportJson);
        var root = report.RootElement;
        return $"{root.GetProperty("lower").GetRawText()} {root.GetProperty("upper").GetRawText()} "
            + root.GetProperty("bracket").GetRawText();
    }

    private string Address(int node) => $"127.0.0.1:{_ports[node]}";

    private string Report(string name) => Path.Combine(_directory, $"{name}.json");

    private string WriteModel(int samples, int n)
    {
        var random = new Random(5);
        var entries = new List<string>();
        for (var s = 0; s < samples; s++)
        {
            var layer = TestModels.Stable(random, n);
            var rows = Enumerable.Range(0, n).Select(i => string.Join(',',
                Enumerable.Range(0, n).Select(j => layer[i, j].ToString("R", CultureInfo.InvariantCulture))));
            File.WriteAllLines(Path.Combine(_directory, $"s{s}.csv"), rows);
            entries.Add(string.Create(CultureInfo.InvariantCulture,
                $$"""{ "t": {{0.1 * s}}, "layers": ["s{{s}}.csv"] }"""));
        }

        var manifest = Path.Combine(_directory, "model.json");
        File.WriteAllText(manifest,
            $$"""{ "format": "actorcontractivity/v1", "samples": [{{string.Join(", ", entries)}}] }""");
        return manifest;
    }

    private Process StartNode(int node, string roles)
    {
        var seeds = _ports.SelectMany(p => new[] { "--seed-node", $"127.0.0.1:{p}" });
        return Start(["node", "--port", _ports[node].ToString(CultureInfo.InvariantCulture), "--roles", roles,
            "--data", Path.Combine(_directory, $"node{node}"), .. seeds]);
    }

    private Process StartCli(params string[] args) => Start(args);

    private string RunCli(params string[] args)
    {
        var process = Start(args);
        Assert.Equal(0, Finish(process));
        return File.ReadAllText(args[Array.IndexOf(args, "--json") + 1]);
    }

    private string Status()
    {
        var process = Start(["status", "--cluster", Address(1)]);
        return process.WaitForExit(30_000) && process.ExitCode == 0 ? Output(process) : "";
    }

    private int OuterStep()
    {
        var status = Status();
        var at = status.IndexOf("outer step ", StringComparison.Ordinal);
        return at < 0 ? -1 : int.Parse(new string(status[(at + 11)..].TakeWhile(char.IsDigit).ToArray()),
            CultureInfo.InvariantCulture);
    }

    private int Finish(Process process)
    {
        Assert.True(process.WaitForExit((int)Patience.TotalMilliseconds), "a command ran longer than expected");
        process.WaitForExit();
        return process.ExitCode;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            Thread.Sleep(250);
        }
    }

    private Process Start(string[] args)
    {
        var process = _processes.Start(args);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _outputs[process] = output;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private readonly Dictionary<Process, StringBuilder> _outputs = [];

    private string Output(Process process)
    {
        process.WaitForExit();
        var output = _outputs[process];
        lock (output)
        {
            return output.ToString();
        }
    }
}
