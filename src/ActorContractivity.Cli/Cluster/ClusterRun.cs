using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// Runs a certify job through a cluster: by default a one-node cluster started in this process (the same actors,
/// protocol and serializers as a real cluster), or the running cluster at <c>--cluster HOST:PORT</c>.
/// </summary>
public static class ClusterRun
{
    /// <summary>How long a running cluster has to accept a job before the command gives up.</summary>
    public static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the job and returns its outcome (completed, failed or rejected).</summary>
    /// <exception cref="TimeoutException">The cluster at <paramref name="cluster"/> did not accept the job.</exception>
    public static IJobMessage Run(NeuralOdeModel model, JobSettings job, string? cluster, ProgressDisplay display)
    {
        var settings = cluster is null
            ? ContractivityNode.InProcess()
            : ContractivitySettings.From(ContractivitySettings.Configuration());
        using var host = cluster is null ? ContractivityNode.Build(settings, quiet: true) : ContractivityNode.Client(settings);
        host.Start();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            ICanTell gateway = cluster is null
                ? host.Services.GetRequiredService<IActorRegistry>().Get<Gateway>()
                : JobClient.Gateway(system, settings, cluster);
            var outcome = JobClient.RunAsync(system, gateway, model, job, display.Report, AcceptTimeout);
            return display.Follow(outcome);
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }
}
