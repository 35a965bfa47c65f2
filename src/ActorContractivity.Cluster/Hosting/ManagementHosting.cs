using System.Globalization;
using Akka.Discovery.Config.Hosting;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// What the <c>node</c> command adds to a cluster node for container platforms: Akka.Management with Cluster
/// Bootstrap (when a discovery method is configured) and the timing of the graceful leave on SIGTERM. The one-node
/// cluster inside <c>certify</c> and the in-process specs use neither.
/// </summary>
public static class ManagementHosting
{
    /// <summary>
    /// Cluster Bootstrap: the management HTTP endpoint (bound to <see cref="NodeSettings.Host"/>, advertised as the
    /// node's public host, which must be the address discovery returns: the pod IP on Kubernetes) and the discovery
    /// of the other nodes' endpoints. Nothing when the discovery method is <c>none</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithContractivityBootstrap(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings)
    {
        var bootstrap = settings.Bootstrap;
        if (!bootstrap.Enabled)
        {
            return builder;
        }

        if (settings.Node.SeedNodes.Count > 0)
        {
            throw new ArgumentException(
                "Bootstrap:Discovery: Cluster Bootstrap decides whom a node joins; give no Node:SeedNodes with it");
        }

        var kubernetes = string.Equals(bootstrap.Discovery, DiscoveryMethods.Kubernetes,
            StringComparison.OrdinalIgnoreCase);
        if (!kubernetes && !string.Equals(bootstrap.Discovery, DiscoveryMethods.Config,
                StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"Bootstrap:Discovery: expected none, config or kubernetes, got '{bootstrap.Discovery}'");
        }

        if (!kubernetes && bootstrap.ContactPoints.Count == 0)
        {
            throw new ArgumentException(
                "Bootstrap:ContactPoints: config discovery needs the management endpoints HOST:PORT of the nodes");
        }

        // Hostnames are compared with the discovered contact points as written: keep them lower case.
        var advertised = (settings.Node.PublicHost ?? settings.Node.Host).ToLowerInvariant();
        builder.WithAkkaManagement(new AkkaManagementOptions
        {
            HostName = advertised,
            Port = settings.Management.Port,
            BindHostName = settings.Node.Host,
            BindPort = settings.Management.Port,
        }, autoStart: true);

        var options = new ClusterBootstrapOptions { NewClusterEnabled = bootstrap.NewClusterEnabled };
        options.ContactPointDiscovery.ServiceName = bootstrap.ServiceName;
        options.ContactPointDiscovery.RequiredContactPointsNr = bootstrap.RequiredContactPoints;
        options.ContactPointDiscovery.StableMargin = TimeSpan.FromSeconds(bootstrap.StableMarginSeconds);
        options.ContactPointDiscovery.ContactWithAllContactPoints = true;
        if (kubernetes)
        {
            // The pods' container port of this name is each contact point's management port.
            options.ContactPointDiscovery.PortName = bootstrap.PortName;
            builder.AddHocon(
                KubernetesPodDiscovery.Hocon(bootstrap)
                + $"\nakka.discovery.method = {KubernetesPodDiscovery.Method}", HoconAddMode.Prepend);
        }
        else
        {
            // Several nodes on one host differ by port only: do not keep just the contact points on our own port.
            options.ContactPoint.FilterOnFallbackPort = false;
            builder.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
            {
                Services = [new Service { Name = bootstrap.ServiceName, Endpoints = bootstrap.ContactPoints.ToArray() }],
            });
        }

        // A node that decided whom to join but cannot get in stops, so that its supervisor (Kubernetes) restarts it.
        builder.AddHocon("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = 60s", HoconAddMode.Prepend);
        return builder.WithClusterBootstrap(options, autoStart: true);
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

    private static string Seconds(double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(seconds, 0.5):0.###}s");
}
