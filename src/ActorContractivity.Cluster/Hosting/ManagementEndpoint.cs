using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// The node's HTTP management endpoint (Kestrel, on <see cref="ManagementSettings.Port"/>). <see cref="LivePath"/>
/// answers 200 while the actor system runs, also while the node is still joining, so that a liveness probe never
/// kills a node that waits for its peers; <see cref="ReadyPath"/> answers 200 only while this node is an Up (or
/// WeaklyUp) member of the cluster, 503 before it joined and from the moment it leaves. A node whose actor system
/// stopped (downed by the split-brain resolver) exits, so its container restarts.
/// <see cref="ClusterBootstrap.SeedNodesPath"/> is Cluster Bootstrap's contact point. The endpoint has no
/// authentication: keep it inside the cluster's network.
/// </summary>
public static class ManagementEndpoint
{
    /// <summary>The liveness path.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness path.</summary>
    public const string ReadyPath = "/health/ready";

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>The liveness and readiness checks, in Microsoft.Extensions.Diagnostics.HealthChecks.</summary>
    public static AkkaConfigurationBuilder WithContractivityHealthChecks(this AkkaConfigurationBuilder builder) =>
        builder
            .WithHealthCheck("actor-system", (system, _, _) => Task.FromResult(system.WhenTerminated.IsCompleted
                ? HealthCheckResult.Unhealthy("the actor system has stopped")
                : HealthCheckResult.Healthy("the actor system runs")), tags: [LiveTag])
            .WithHealthCheck("cluster-member", (system, _, _) =>
            {
                var status = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
                var up = status is MemberStatus.Up or MemberStatus.WeaklyUp && !system.WhenTerminated.IsCompleted;
                return Task.FromResult(up
                    ? HealthCheckResult.Healthy($"member {status}")
                    : HealthCheckResult.Unhealthy($"member {status}"));
            }, tags: [ReadyTag]);

    /// <summary>Serves the three paths on the configured port, bound to <see cref="NodeSettings.Host"/>.</summary>
    public static IHostBuilder WithManagementEndpoint(this IHostBuilder host, ContractivitySettings settings)
    {
        if (settings.Management.Port is not { } port)
        {
            return host;
        }

        return host.ConfigureWebHost(web => web
            .UseKestrel(kestrel =>
            {
                if (IPAddress.TryParse(settings.Node.Host, out var address))
                {
                    kestrel.Listen(address, port);
                }
                else if (string.Equals(settings.Node.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                {
                    kestrel.ListenLocalhost(port);
                }
                else
                {
                    kestrel.ListenAnyIP(port);
                }
            })
            .ConfigureServices(services => services.AddRouting().AddHealthChecks())
            .Configure(app => app.UseRouting().UseEndpoints(endpoints =>
            {
                endpoints.MapHealthChecks(LivePath, Only(LiveTag));
                endpoints.MapHealthChecks(ReadyPath, Only(ReadyTag));
                endpoints.MapGet(ClusterBootstrap.SeedNodesPath,
                    (ActorSystem system) => Results.Json(ClusterBootstrap.Describe(system)));
            })));
    }

    /// <summary>The address the endpoint listens on (its port is known only once the host has started).</summary>
    public static string? Address(IHost host) =>
        host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();

    private static HealthCheckOptions Only(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };
}
