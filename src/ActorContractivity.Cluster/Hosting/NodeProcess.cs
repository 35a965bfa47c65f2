using System.Globalization;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// The host of the <c>node</c> command: a cluster node (<see cref="ContractivityNode.Configure"/>) plus what a
/// container platform needs of it, all from the same settings: the management endpoint (health probes, Cluster
/// Bootstrap's contact point) when a management port is configured, Cluster Bootstrap when a discovery method is, and
/// a graceful leave on SIGTERM within the leave timeout.
/// </summary>
public static class NodeProcess
{
    /// <summary>Builds the host (not started).</summary>
    public static IHost Build(ContractivitySettings settings)
    {
        var builder = new HostBuilder()
            .ConfigureHostOptions(options =>
                options.ShutdownTimeout = TimeSpan.FromSeconds(settings.Shutdown.LeaveTimeoutSeconds))
            .WithManagementEndpoint(settings);
        builder.ConfigureServices(services => services.AddAkka(settings.SystemName, akka =>
            ContractivityNode.Configure(akka, settings, quiet: false)
                .WithContractivityBootstrap(settings)
                .WithGracefulLeave(settings.Shutdown)
                .WithContractivityHealthChecks()));
        return builder.Build();
    }

    /// <summary>
    /// The graceful leave within <see cref="ShutdownSettings.LeaveTimeoutSeconds"/>: SIGTERM stops the host, whose
    /// Akka service runs CoordinatedShutdown (leave the cluster, hand the job manager over, wait until the node is
    /// removed, stop the actor system; a task still computing is abandoned and issued again elsewhere). The phases'
    /// timeouts add up to about the leave timeout, so the process is gone before a platform's grace period ends.
    /// </summary>
    public static AkkaConfigurationBuilder WithGracefulLeave(
        this AkkaConfigurationBuilder builder, ShutdownSettings settings)
    {
        var total = settings.LeaveTimeoutSeconds;
        return builder.AddHocon(
            $$"""
            akka.coordinated-shutdown {
              default-phase-timeout = {{Seconds(total / 20)}}
              phases {
                cluster-sharding-shutdown-region.timeout = {{Seconds(total / 20)}}
                cluster-leave.timeout = {{Seconds(total / 10)}}
                cluster-exiting.timeout = {{Seconds(total / 4)}}
                cluster-exiting-done.timeout = {{Seconds(total / 5)}}
                actor-system-terminate.timeout = {{Seconds(total / 5)}}
              }
            }
            """, HoconAddMode.Prepend);
    }

    /// <summary>A line per endpoint the node serves besides remoting (for the node command's first lines).</summary>
    public static IEnumerable<string> Endpoints(IHost host, ContractivitySettings settings)
    {
        if (ManagementEndpoint.Address(host) is { } address)
        {
            yield return $"management {address}: {ManagementEndpoint.LivePath} {ManagementEndpoint.ReadyPath} "
                + ClusterBootstrap.SeedNodesPath;
        }

        if (settings.Bootstrap.Enabled)
        {
            yield return $"bootstrap: {settings.Bootstrap.Discovery} discovery of '{settings.Bootstrap.ServiceName}'";
        }
    }

    private static string Seconds(double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(seconds, 0.5):0.###}s");
}
