using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorContractivity.Cluster.Hosting;
using Npgsql;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// deploy/docker-compose.yml run without containers: its three node services as <c>actorcontractivity node</c>
/// processes with the image's and the services' environment, and a real PostgreSQL server, all on 127.0.0.1. The nodes
/// form the cluster through Cluster Bootstrap. A job is submitted with <c>certify --cluster</c>; mid-job a worker node
/// gets SIGTERM (it leaves gracefully, its tasks are issued again elsewhere, it is started again as a platform would),
/// then the node hosting the job manager is killed with SIGKILL (the job resumes on another node from the PostgreSQL
/// journal). The job must end with exactly the single-process answer, and its events must be rows in PostgreSQL.
/// </summary>
public sealed class ComposeTopologyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Processes _processes = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-compose-").FullName;
    private PostgresServer? _postgres;

    [Fact]
    public void A_job_survives_a_graceful_leave_and_a_killed_coordinator_with_the_right_answer_journaled_in_postgresql()
    {
        var postgres = Compose.Postgres()["environment"].Strings;
        var database = postgres["POSTGRES_DB"];
        _postgres = PostgresServer.Start(_processes, postgres["POSTGRES_USER"], database);
        // The single-process answer is computed while the cluster forms and runs (it only slows the job down).
        // 128 samples: long enough (about a minute on a 2-core machine) to outlast the leave, the restart and the
        // kill below with room to spare.
        var model = WriteModel(samples: 128, n: 28);
        var local = _processes.Cli("certify", ["certify", model, "--certify", "off", "--json", Report("local")],
            new Dictionary<string, string>(), _directory);

        // Ascending ports: node1 has the lowest address, so it forms the cluster and hosts the job manager.
        var services = Compose.Nodes().Select(n => n.Name).Order().ToArray();
        var ports = Processes.FreePorts(2 * services.Length).Order().ToArray();
        var nodes = services.Select((name, i) => new NodeAddress(name, ports[i], ports[services.Length + i])).ToArray();
        var running = nodes.Select(n => StartNode(n, nodes)).ToArray();
        _processes.WaitFor(() => nodes.All(Ready), Patience, "the three nodes to be ready");
        _processes.WaitFor(() => Status(nodes[1]).Contains("live workers: 3", StringComparison.Ordinal), Patience,
            "three workers to register");
        Assert.Contains("started singleton actor", running[0].Output);

        var client = _processes.Cli("certify --cluster",
            ["certify", model, "--certify", "off", "--cluster", nodes[1].Remoting, "--json", Report("cluster")],
            new Dictionary<string, string>(), _directory);
        _processes.WaitFor(() => OuterStep(nodes[1]) >= 1, Patience, "the job to reach outer step 1");

        // SIGTERM a node without the job manager: it leaves within its leave timeout and exits 0, the dispatcher sees
        // its worker go (and issues the task it held, if any, again at once: see the lease check below).
        var clock = Stopwatch.StartNew();
        running[2].Terminate();
        Assert.Equal(0, running[2].Exit(Patience));
        Assert.True(clock.Elapsed.TotalSeconds < SettingsKeys.Defaults().Shutdown.LeaveTimeoutSeconds,
            $"the leave took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("Exiting completed", running[2].Output);
        _processes.WaitFor(() => running[0].Output.Contains($"@{nodes[2].Remoting}/user/worker-0 left",
            StringComparison.Ordinal), Patience, "the dispatcher to see the leaving node's worker go");
        Assert.False(client.Process.HasExited, $"the job ended early\n{client.Output}");

        // The platform starts the node again. The job finishes the step the node left in (so no task of it was lost:
        // one held by the leaving worker and never issued again would wait for its 30 s lease, checked below); then
        // the job manager's node dies without a word.
        var stepBefore = OuterStep(nodes[1]);
        var restarted = StartNode(nodes[2], nodes);
        _processes.WaitFor(() => Ready(nodes[2]), Patience, "the restarted node to be ready");
        _processes.WaitFor(() => client.Process.HasExited || OuterStep(nodes[1]) > stepBefore, Patience,
            "the job to go on");
        Assert.False(client.Process.HasExited, $"the job ended before its coordinator was killed\n{client.Output}");
        running[0].Kill();
        Assert.Equal(0, client.Exit(TimeSpan.FromMinutes(3)));
        Assert.Contains(new[] { running[1], restarted },
            n => n.Output.Contains("started singleton actor", StringComparison.Ordinal));
        Assert.True(local.Exit(TimeSpan.FromMinutes(3)) == 0, local.Output);
        Assert.Equal(Answer(File.ReadAllText(Report("local"))), Answer(File.ReadAllText(Report("cluster"))));
        Assert.DoesNotContain(running.Append(restarted),
            n => n.Output.Contains("its lease expired", StringComparison.Ordinal));

        // The job manager and the job's coordinator wrote their events to PostgreSQL.
        var rows = _postgres.Query(database,
            "SELECT persistence_id, count(*) FROM journal GROUP BY persistence_id ORDER BY persistence_id")
            .ToDictionary(r => r[0], r => int.Parse(r[1], CultureInfo.InvariantCulture));
        Assert.True(rows.GetValueOrDefault(ContractivityHosting.JobManagerName) >= 1,
            $"journal rows: {string.Join(", ", rows)}");
        var job = Assert.Single(rows, r => r.Key.StartsWith("job-", StringComparison.Ordinal)
            && r.Key != ContractivityHosting.JobManagerName);
        Assert.True(job.Value >= 2, $"{job.Key}: {job.Value} events");
    }

    public void Dispose()
    {
        _postgres?.Dispose();
        _processes.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A node's addresses: in compose every container has the image's ports, here each has its own.</summary>
    private sealed record NodeAddress(string Service, int RemotingPort, int ManagementPort)
    {
        public string Remoting => $"127.0.0.1:{RemotingPort}";

        public string Management(string path) => $"http://127.0.0.1:{ManagementPort}{path}";
    }

    /// <summary>
    /// The node's environment: the image's ENV, then the compose service's environment, with the addresses translated
    /// (every compose host is 127.0.0.1 here, each node has its own ports) and the split-brain resolver's wait
    /// shortened for the test.
    /// </summary>
    private Dictionary<string, string> Environment(NodeAddress node, IReadOnlyList<NodeAddress> all)
    {
        var environment = new Dictionary<string, string>(Dockerfile.Load().Environment());
        var service = Assert.Single(Compose.Nodes(), n => n.Name == node.Service).Service;
        foreach (var (key, value) in service["environment"].Strings)
        {
            environment[key] = value;
        }

        var prefix = ContractivitySettings.EnvironmentPrefix;
        var imagePort = environment[$"{prefix}Management__Port"];
        foreach (var key in environment.Keys.ToArray())
        {
            foreach (var other in all)
            {
                environment[key] = environment[key].Replace($"{other.Service}:{imagePort}",
                    $"127.0.0.1:{other.ManagementPort}", StringComparison.Ordinal);
            }
        }

        Assert.Equal(node.Service, environment[$"{prefix}Node__PublicHost"]);
        environment[$"{prefix}Node__PublicHost"] = "127.0.0.1";
        Assert.Equal("0.0.0.0", environment[$"{prefix}Node__Host"]);
        environment[$"{prefix}Node__Host"] = "127.0.0.1";
        var connection = new NpgsqlConnectionStringBuilder(environment[$"{prefix}Persistence__ConnectionString"])
        {
            Host = "127.0.0.1", Port = _postgres!.Port,
        };
        environment[$"{prefix}Persistence__ConnectionString"] = connection.ConnectionString;
        environment[$"{prefix}Persistence__DataDirectory"] = Path.Combine(_directory, node.Service);
        environment[$"{prefix}Node__Port"] = Text(node.RemotingPort);
        environment[$"{prefix}Management__Port"] = Text(node.ManagementPort);
        environment[$"{prefix}Node__DownUnreachableAfterSeconds"] = "3";
        Assert.DoesNotContain(environment.Values,
            v => all.Any(n => v.Contains(n.Service + ":", StringComparison.Ordinal)));
        return environment;
    }

    private Processes.Started StartNode(NodeAddress node, IReadOnlyList<NodeAddress> all) =>
        _processes.Cli(node.Service, ["node"], Environment(node, all), _directory);

    private static bool Ready(NodeAddress node) => Http.Status(node.Management(ManagementEndpoint.ReadyPath)) == 200;

    private string Status(NodeAddress node)
    {
        var status = _processes.Cli("status", ["status", "--cluster", node.Remoting], new Dictionary<string, string>(),
            _directory);
        return status.Exit(Patience) == 0 ? status.Output : "";
    }

    private int OuterStep(NodeAddress node)
    {
        var match = Regex.Match(Status(node), @"outer step (\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    private string Report(string name) => Path.Combine(_directory, $"{name}.json");

    /// <summary>The interval and bracket of a report, to the last digit.</summary>
    private static string Answer(string reportJson)
    {
        using var report = JsonDocument.Parse(reportJson);
        var root = report.RootElement;
        return string.Join(' ', new[] { "lower", "upper", "bracket" }.Select(p => root.GetProperty(p).GetRawText()));
    }

    /// <summary>
    /// A time-sampled one-layer model in CSV files: A = (U − ½)·√(12/n) − 1.6·I per sample with uniform U,
    /// stable enough that an interval exists and far enough from it that the outer search takes several steps.
    /// </summary>
    private string WriteModel(int samples, int n)
    {
        var random = new Random(11);
        var entries = new List<string>();
        for (var s = 0; s < samples; s++)
        {
            var rows = Enumerable.Range(0, n).Select(i => string.Join(',', Enumerable.Range(0, n).Select(j =>
                ((random.NextDouble() - 0.5) * Math.Sqrt(12.0 / n) - (i == j ? 1.6 : 0))
                .ToString("R", CultureInfo.InvariantCulture))));
            File.WriteAllLines(Path.Combine(_directory, $"sample{s}.csv"), rows);
            entries.Add(string.Create(CultureInfo.InvariantCulture,
                $$"""{ "t": {{0.1 * s}}, "layers": ["sample{{s}}.csv"] }"""));
        }

        var manifest = Path.Combine(_directory, "model.json");
        File.WriteAllText(manifest,
            $$"""{ "format": "actorcontractivity/v1", "samples": [{{string.Join(", ", entries)}}] }""");
        return manifest;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
