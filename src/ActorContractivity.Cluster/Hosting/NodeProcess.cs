using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// The host of the <c>node</c> command: a cluster node (<see cref="ContractivityNode.Configure"/>) plus what a
/// container platform needs of it, all from the same settings: Cluster Bootstrap when a discovery method is
/// configured, the health endpoint when a health port is, and a graceful leave on SIGTERM within the leave timeout.
/// </summary>
public static class NodeProcess
{
    /// <summary>Builds the host (not started).</summary>
    public static IHost Build(ContractivitySettings settings)
    {
        var builder = new HostBuilder()
            .ConfigureHostOptions(options =>
                options.ShutdownTimeout = TimeSpan.FromSeconds(settings.Shutdown.LeaveTimeoutSeconds))
            .WithHealthEndpoints(settings);
        builder.ConfigureServices(services => services.AddAkka(settings.SystemName, akka =>
            ContractivityNode.Configure(akka, settings, quiet: false)
                .WithContractivityBootstrap(settings)
                .WithGracefulLeave(settings.Shutdown)
                .WithContractivityHealthChecks()));
        return builder.Build();
    }

    /// <summary>One line per endpoint the node serves besides remoting (for the node command's start message).</summary>
    public static IEnumerable<string> Endpoints(IHost host, ContractivitySettings settings)
    {
        if (HealthEndpoints.Address(host) is { } health)
        {
            yield return $"health {health}{HealthEndpoints.LivePath} {health}{HealthEndpoints.ReadyPath}";
        }

        if (settings.Bootstrap.Enabled)
        {
            yield return $"bootstrap {settings.Bootstrap.Discovery} discovery of '{settings.Bootstrap.ServiceName}', "
                + $"management port {settings.Management.Port}";
        }
    }
}
