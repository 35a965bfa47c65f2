using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cli.Cluster;

/// <summary><c>actorcontractivity node …</c>: runs a cluster node until it is stopped (Ctrl+C or SIGTERM).</summary>
public static class NodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var port = CommandLineValues.Port("--port", "The remoting port (default 4053; 0: any free port).", 0);
        var seeds = new Option<string[]>("--seed-node")
        {
            Description = "A seed node HOST:PORT to join (repeat for several; none: this node starts a cluster).",
            AllowMultipleArgumentsPerToken = false,
        };
        var roles = new Option<string?>("--roles")
        {
            Description = "Comma-separated roles: worker (runs tasks), coordinator (may host the job manager).",
        };
        var data = new Option<string?>("--data")
        {
            Description = "The directory of the SQLite journal (default ./data).",
        };
        var command = new Command("node", "Run a cluster node: workers and/or the job coordinator.");
        foreach (var option in new Option[] { port, seeds, roles, data })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var overrides = new Dictionary<string, string?>();
            var section = ContractivitySettings.Section;
            if (parse.GetValue(port) is { } p)
            {
                overrides[$"{section}:Node:Port"] = p.ToString(CultureInfo.InvariantCulture);
            }

            var seedNodes = parse.GetValue(seeds) ?? [];
            for (var i = 0; i < seedNodes.Length; i++)
            {
                overrides[$"{section}:Node:SeedNodes:{i}"] = HostPort.Parse("--seed-node", seedNodes[i]);
            }

            if (parse.GetValue(roles) is { } r)
            {
                var list = r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (list.Length == 0 || list.Any(x => x is not (ClusterRoles.Worker or ClusterRoles.Coordinator)))
                {
                    throw new InputException($"--roles: expected worker, coordinator or both, got '{r}'");
                }

                for (var i = 0; i < list.Length; i++)
                {
                    overrides[$"{section}:Node:Roles:{i}"] = list[i];
                }
            }

            if (parse.GetValue(data) is { } d)
            {
                overrides[$"{section}:Persistence:DataDirectory"] = d;
            }

            var settings = NodeChecks.Load(overrides);
            NodeChecks.Check(settings, parse.GetValue(data) is null ? null : "--data");
            return Run(settings, output);
        });
        return command;
    }

    private static int Run(ContractivitySettings settings, TextWriter output)
    {
        using var host = NodeProcess.Build(settings);
        host.Start();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        output.WriteLine($"node {self} roles {string.Join(',', settings.Node.EffectiveRoles)} "
            + $"journal {settings.Persistence.Provider}");
        foreach (var endpoint in NodeProcess.Endpoints(host, settings))
        {
            output.WriteLine(endpoint);
        }

        output.Flush();
        host.WaitForShutdown();
        return CliApplication.Found;
    }
}
