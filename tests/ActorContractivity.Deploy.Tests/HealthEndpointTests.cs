using System.Diagnostics;
using System.Globalization;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// The health probes of the management endpoint of real <c>actorcontractivity node</c> processes on loopback: alive
/// but not ready while a node waits for its seed, ready once it is an Up member, and a node that gets SIGTERM leaves
/// the cluster and exits 0 within its leave timeout. The probe command (the image's HEALTHCHECK) reports the same.
/// </summary>
public sealed class HealthEndpointTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const double LeaveTimeoutSeconds = 20;

    private readonly Processes _processes = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-health-").FullName;

    [Fact]
    public void A_joining_node_is_alive_but_not_ready_until_it_is_up_and_leaves_on_sigterm()
    {
        var ports = Processes.FreePorts(4);
        var (seedPort, seedHealth, joinerPort, joinerHealth) = (ports[0], ports[1], ports[2], ports[3]);

        // The joiner starts first: its seed does not run yet, so it is alive but not a member.
        var joiner = Node("joiner", joinerPort, joinerHealth, seedPort);
        _processes.WaitFor(() => Http.Status(Url(joinerHealth, ManagementEndpoint.LivePath)) == 200, Patience,
            "the joiner's liveness");
        Assert.Equal(503, Http.Status(Url(joinerHealth, ManagementEndpoint.ReadyPath)));
        Assert.Equal(0, Probe("live", joinerHealth));
        Assert.Equal(1, Probe("ready", joinerHealth));
        Assert.Contains($"management http://127.0.0.1:{joinerHealth}: {ManagementEndpoint.LivePath}", joiner.Output);

        Node("seed", seedPort, seedHealth, seedPort);
        _processes.WaitFor(() => Http.Status(Url(joinerHealth, ManagementEndpoint.ReadyPath)) == 200
            && Http.Status(Url(seedHealth, ManagementEndpoint.ReadyPath)) == 200, Patience, "both nodes to be ready");
        Assert.Equal(0, Probe("ready", joinerHealth));
        Assert.Contains("members: 2", Status(seedPort));

        // SIGTERM: the joiner leaves (the seed sees it go) and exits cleanly well within its leave timeout.
        var clock = Stopwatch.StartNew();
        joiner.Terminate();
        Assert.Equal(0, joiner.Exit(TimeSpan.FromSeconds(LeaveTimeoutSeconds + 10)));
        Assert.True(clock.Elapsed.TotalSeconds < LeaveTimeoutSeconds, $"left after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("Exiting completed", joiner.Output);
        _processes.WaitFor(() => Status(seedPort).Contains("members: 1", StringComparison.Ordinal), Patience,
            "the seed to see one member");
        Assert.Equal(0, Http.Status(Url(joinerHealth, ManagementEndpoint.LivePath)));
    }

    public void Dispose()
    {
        _processes.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Url(int port, string path) => $"http://127.0.0.1:{port}{path}";

    private Processes.Started Node(string name, int port, int health, int seed) =>
        _processes.Cli(name,
            ["node", "--port", Text(port), "--seed-node", $"127.0.0.1:{seed}",
                "--data", Path.Combine(_directory, name)],
            new Dictionary<string, string>
            {
                ["ACTORCONTRACTIVITY_Management__Port"] = Text(health),
                ["ACTORCONTRACTIVITY_Workers__Count"] = "1",
                ["ACTORCONTRACTIVITY_Shutdown__LeaveTimeoutSeconds"] = Text(LeaveTimeoutSeconds),
            }, _directory);

    private int Probe(string check, int health)
    {
        var probe = _processes.Cli($"probe {check}", ["probe", check, "--port", Text(health)],
            new Dictionary<string, string>(), _directory);
        return probe.Exit(Patience);
    }

    private string Status(int port)
    {
        var status = _processes.Cli("status", ["status", "--cluster", $"127.0.0.1:{port}"],
            new Dictionary<string, string>(), _directory);
        return status.Exit(Patience) == 0 ? status.Output : "";
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
