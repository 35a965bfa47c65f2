using System.CommandLine;
using System.Globalization;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// <c>actorcontractivity probe live|ready [--port P]</c>: asks the management endpoint of the node on this machine and
/// exits 0 when it answers 200, 1 otherwise (a container's HEALTHCHECK, where the image has no HTTP client).
/// </summary>
public static class ProbeCommand
{
    /// <summary>How long the node has to answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var which = new Argument<string>("CHECK")
        {
            Description = "live (the actor system runs) or ready (an Up member of the cluster).",
        };
        var port = CommandLineValues.Port("--port", "The management port (default: Management:Port).", 1);
        var command = new Command("probe", "Ask the health probe of the node on this machine.");
        command.Arguments.Add(which);
        command.Options.Add(port);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(which) switch
            {
                "live" => ManagementEndpoint.LivePath,
                "ready" => ManagementEndpoint.ReadyPath,
                var other => throw new InputException($"CHECK: expected live or ready, got '{other}'"),
            };
            var settings = NodeChecks.Load();
            var healthPort = parse.GetValue(port) ?? settings.Management.Port
                ?? throw new InputException("--port: no management port configured "
                    + $"({ContractivitySettings.EnvironmentPrefix}Management__Port)");
            return Probe(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{healthPort}{path}"),
                output, error);
        });
        return command;
    }

    private static int Probe(string url, TextWriter output, TextWriter error)
    {
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = client.GetAsync(url).GetAwaiter().GetResult();
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            output.WriteLine($"{url}: {(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? CliApplication.Found : CliApplication.NoInterval;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error.WriteLine($"{url}: no answer ({e.Message})");
            return CliApplication.NoInterval;
        }
    }
}
