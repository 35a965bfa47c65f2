using System.Diagnostics;
using System.Globalization;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// <c>actorcontractivity node</c> and <c>status</c> as processes: a node whose journal is not a database exits at
/// startup with one line instead of running without persistence, <c>certify --cluster</c> refuses a setting it cannot
/// read with one line, <c>status</c> of a job the cluster does not have, or of a cluster without a job manager, says
/// so and exits 1, and <c>cancel</c> ends a running job and the client that follows it, a client whose node dies
/// says so and exits, and one whose job's coordinator is lost says so and waits. Every process started is killed at
/// the end.
/// </summary>
public sealed class NodeProcessSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-node-").FullName;
    private readonly ToolProcesses _processes;

    public NodeProcessSpecs()
    {
        _processes = new ToolProcesses(_directory);
        _processes.Environment["ACTORCONTRACTIVITY_Workers__Count"] = "1";
    }

    [Fact]
    public void A_node_whose_journal_is_random_bytes_exits_2_at_startup_with_one_line_naming_the_journal()
    {
        var data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(data);
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(data, "journal.db"), bytes);

        var (exitCode, stdout, stderr) = Run("node", "--port", FreePort(), "--data", data);
        Assert.Equal(2, exitCode);
        Assert.Equal([$"{Path.Combine(data, "journal.db")}: is not a SQLite database (it does not begin with "
            + "'SQLite format 3'); restore it or move it away"], Lines(stderr));
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public void A_setting_from_the_environment_that_is_not_a_whole_number_is_refused_with_one_line_naming_it()
    {
        _processes.Environment["ACTORCONTRACTIVITY_Node__Port"] = "abc";
        var (exitCode, stdout, stderr) = Run("node", "--data", Path.Combine(_directory, "data"));
        Assert.Equal(2, exitCode);
        Assert.Equal(["Contractivity:Node:Port (ACTORCONTRACTIVITY_Node__Port): expected a whole number, got 'abc'"],
            Lines(stderr));
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public void Certify_on_a_cluster_refuses_a_setting_from_the_environment_that_is_not_true_or_false_with_one_line()
    {
        _processes.Environment["ACTORCONTRACTIVITY_Tls__Enabled"] = "maybe";
        var model = WriteModel();
        var (exitCode, stdout, stderr) = Run("certify", model, "--cluster", $"127.0.0.1:{FreePort()}");
        Assert.Equal(2, exitCode);
        Assert.Equal(
            ["Contractivity:Tls:Enabled (ACTORCONTRACTIVITY_Tls__Enabled): expected true or false, got 'maybe'"],
            Lines(stderr));
        Assert.Empty(Lines(stdout));
    }

    [Fact]
    public void Status_of_a_job_the_cluster_does_not_have_says_so_and_exits_1()
    {
        var port = FreePort();
        var address = $"127.0.0.1:{port}";
        var node = Start("node", "--port", port, "--data", Path.Combine(_directory, "data"));
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (code, output, _) = Run("status", "--cluster", address);
            if (code == 0 && output.Contains("live workers: 1", StringComparison.Ordinal))
            {
                break;
            }

            Assert.True(clock.Elapsed < Patience, $"the node did not come up: {output}");
            Thread.Sleep(500);
        }

        var (exitCode, stdout, stderr) = Run("status", "--cluster", address, "nosuchjob");
        Assert.Equal(1, exitCode);
        Assert.Equal([$"JOB: the cluster at {address} has no job 'nosuchjob'"], Lines(stderr));
        Assert.Contains("jobs with id 'nosuchjob': 0", Lines(stdout));
    }

    [Fact]
    public void Status_of_a_cluster_without_a_coordinator_says_its_jobs_are_unknown_and_exits_1()
    {
        // A worker-only node: no job manager can answer, so "jobs: 0" would be a guess.
        var port = FreePort();
        var address = $"127.0.0.1:{port}";
        var node = Start("node", "--port", port, "--roles", "worker");
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (code, output, error) = Run("status", "--cluster", address);
            if (output.Contains("members: 1", StringComparison.Ordinal))
            {
                Assert.Equal(1, code);
                Assert.Contains("jobs: unknown", Lines(output));
                Assert.Equal([$"--cluster: no job manager answered at {address}, so its jobs cannot be listed "
                    + "(a coordinator node may be down or still starting)"], Lines(error));
                break;
            }

            Assert.True(clock.Elapsed < Patience, $"the node did not come up: {output}");
            Thread.Sleep(500);
        }
    }

    [Fact]
    public async Task A_job_cancelled_with_the_cancel_command_ends_its_client_with_exit_130_and_is_not_cancelled_twice()
    {
        // A coordinator-only node: the job waits for a worker that never comes.
        var port = FreePort();
        var address = $"127.0.0.1:{port}";
        var node = Start("node", "--port", port, "--roles", "coordinator", "--data", Path.Combine(_directory, "data"));
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var model = WriteModel();
        var report = Path.Combine(_directory, "report.json");
        var client = Start("certify", model, "--cluster", address, "--json", report);
        var clientErr = client.StandardError.ReadToEndAsync();
        client.BeginOutputReadLine();

        var clock = Stopwatch.StartNew();
        string? jobId = null;
        while (jobId is null)
        {
            var (_, output, _) = Run("status", "--cluster", address);
            jobId = Lines(output).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .FirstOrDefault(w => w.Length > 1 && w[1] == "running")?[0];
            Assert.True(clock.Elapsed < Patience, $"the job did not start: {output}");
            Thread.Sleep(500);
        }

        var (exitCode, stdout, stderr) = Run("cancel", jobId, "--cluster", address);
        Assert.Empty(Lines(stderr));
        Assert.Equal(0, exitCode);
        Assert.Equal([$"job {jobId}: cancelled"], Lines(stdout));
        Assert.True(client.WaitForExit(Patience), "the client did not end after its job was cancelled");
        Assert.Equal(130, client.ExitCode);
        Assert.Equal([$"certify: job {jobId} was cancelled on request (actorcontractivity cancel); no report was "
            + "written"], Lines(await clientErr).Where(l => l.StartsWith("certify:", StringComparison.Ordinal)));
        Assert.False(File.Exists(report));

        var again = Run("cancel", jobId, "--cluster", address);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal([$"JOB: job '{jobId}' has already ended (failed); nothing was cancelled"], Lines(again.Stderr));
        var unknown = Run("cancel", "nosuchjob", "--cluster", address);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal([$"JOB: the cluster at {address} has no job 'nosuchjob'"], Lines(unknown.Stderr));
        Assert.Contains(Lines(Run("status", "--cluster", address, jobId).Stdout),
            l => l.Contains($"{jobId}  failed", StringComparison.Ordinal)
                && l.EndsWith(CancelJob.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_whose_node_is_killed_ends_with_exit_2_and_one_line_instead_of_waiting()
    {
        // Two coordinator-only nodes: the job (submitted through the second) waits for a worker that never comes.
        var (first, second) = (FreePort(), FreePort());
        var seeds = new[] { "--seed-node", $"127.0.0.1:{first}" };
        var nodes = new[] { first, second }.Select(port => Start(["node", "--port", port, "--roles", "coordinator",
            "--data", Path.Combine(_directory, $"data-{port}"), .. seeds])).ToArray();
        foreach (var node in nodes)
        {
            node.BeginOutputReadLine();
            node.BeginErrorReadLine();
        }

        var model = WriteModel();
        var client = Start("certify", model, "--cluster", $"127.0.0.1:{second}");
        var clientErr = client.StandardError.ReadToEndAsync();
        client.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!Lines(Run("status", "--cluster", $"127.0.0.1:{first}").Stdout).Any(l => l.Contains(" running ",
                   StringComparison.Ordinal)))
        {
            Assert.True(clock.Elapsed < Patience, "the job did not start");
            Thread.Sleep(500);
        }

        nodes[1].Kill();
        Assert.True(client.WaitForExit(Patience), "the client went on waiting after its node was killed");
        Assert.Equal(2, client.ExitCode);
        Assert.Equal([$"--cluster: the node at '127.0.0.1:{second}' stopped or was lost; the job may go on in the "
            + "cluster (status --cluster ANOTHER-NODE shows it); no report was written"],
            Lines(await clientErr).Where(l => !l.StartsWith("job ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_client_whose_job_lost_its_coordinator_says_so_once_and_waits_on()
    {
        // A coordinator-only node and two workers; the client follows the job through a worker's node, which stays
        // up when the coordinator's is killed: the job's news stop. No node is downed within the test (on a loaded
        // machine the workers can miss each other's heartbeats too, and would then down themselves).
        _processes.Environment["ACTORCONTRACTIVITY_Node__DownUnreachableAfterSeconds"] = "300";
        var (coordinator, first, second) = (FreePort(), FreePort(), FreePort());
        var seeds = new[] { "--seed-node", $"127.0.0.1:{coordinator}" };
        var nodes = new[]
        {
            Start(["node", "--port", coordinator, "--roles", "coordinator", "--data",
                Path.Combine(_directory, "data"), .. seeds]),
            Start(["node", "--port", first, "--roles", "worker", .. seeds]),
            Start(["node", "--port", second, "--roles", "worker", .. seeds]),
        };
        foreach (var node in nodes)
        {
            node.BeginOutputReadLine();
            node.BeginErrorReadLine();
        }

        // 150 slopes: the gradient search and a minute of certification, far longer than the test needs.
        var model = Path.Combine(_directory, "a.csv");
        var random = new Random(150);
        File.WriteAllLines(model, Enumerable.Range(0, 150).Select(i => string.Join(",", Enumerable.Range(0, 150)
            .Select(j => ((random.NextDouble() - 0.5) / 6 - (i == j ? 1.5 : 0)).ToString("R",
                CultureInfo.InvariantCulture)))));
        var client = Start("certify", model, "--cluster", $"127.0.0.1:{first}");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        client.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                errors.Enqueue(text);
            }
        };
        client.BeginErrorReadLine();
        client.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!errors.Any(l => l.Contains("outer step", StringComparison.Ordinal)))
        {
            Assert.True(clock.Elapsed < Patience, $"the job did not start: {string.Join('\n', errors)}");
            Thread.Sleep(200);
        }

        nodes[0].Kill();
        clock.Restart();
        const string Notice = "no news of the job for ";
        while (!errors.Any(l => l.StartsWith(Notice, StringComparison.Ordinal)))
        {
            Assert.True(clock.Elapsed < Patience, $"the client said nothing: {string.Join('\n', errors)}");
            Assert.False(client.HasExited, $"the client ended: {string.Join('\n', errors)}");
            Thread.Sleep(500);
        }

        Assert.True(clock.Elapsed >= JobClient.SilenceNotice - TimeSpan.FromSeconds(4), $"{clock.Elapsed}");
        Assert.Single(errors, l => l.StartsWith(Notice, StringComparison.Ordinal)
            && l.EndsWith(" s: its coordinator node may be down or overloaded; waiting (the job resumes when a "
                + "coordinator node returns with its data directory; Ctrl-C leaves the job to the cluster)",
                StringComparison.Ordinal));
        Assert.False(client.HasExited);
    }

    public void Dispose()
    {
        _processes.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A one-layer 2 × 2 model in the test's directory; returns its manifest.</summary>
    private string WriteModel()
    {
        var model = Path.Combine(_directory, "model.json");
        File.WriteAllLines(Path.Combine(_directory, "a.csv"), ["-1,0.5", "0.2,-1"]);
        File.WriteAllText(model,
            """{ "format": "actorcontractivity/v1", "samples": [{ "t": 0, "layers": ["a.csv"] }] }""");
        return model;
    }

    private static string FreePort() => TlsSpecs.FreePort().ToString(CultureInfo.InvariantCulture);

    private static string[] Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Where(l => l.Length > 0).ToArray();

    private (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(Patience), $"actorcontractivity {string.Join(' ', args)} kept running");
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private Process Start(params string[] args) => _processes.Start(args);
}
