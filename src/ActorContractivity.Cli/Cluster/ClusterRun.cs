using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// Runs a certify job through a cluster: by default the <see cref="InProcessCluster"/> (the same actors, protocol
/// and serializers as a real cluster), or the running cluster at <c>--cluster HOST:PORT</c>.
/// </summary>
public static class ClusterRun
{
    /// <summary>How long a running cluster has to accept a job before the command gives up.</summary>
    public static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the job and returns its outcome (completed, failed or rejected).</summary>
    /// <exception cref="InputException">A setting from the environment or appsettings.json cannot be read.</exception>
    /// <exception cref="TimeoutException">The cluster at <paramref name="cluster"/> did not accept the job.</exception>
    /// <exception cref="OperationCanceledException">The actor system stopped before the job's outcome
    /// arrived.</exception>
    public static IJobMessage Run(NeuralOdeModel model, JobSettings job, string? cluster, ProgressDisplay display)
    {
        if (cluster is null)
        {
            var (system, gateway) = InProcessCluster.Get();
            return Follow(system, gateway, model, job, display);
        }

        var settings = NodeChecks.Load();
        using var host = ContractivityNode.Client(settings);
        host.Start();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            return Follow(system, JobClient.Gateway(system, settings, cluster), model, job, display);
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static IJobMessage Follow(
        ActorSystem system, ICanTell gateway, NeuralOdeModel model, JobSettings job, ProgressDisplay display) =>
        display.Follow(UntilStopped(
            JobClient.RunAsync(system, gateway, model, job, display.Report, AcceptTimeout, silent: display.Silent),
            system));

    // SIGINT and SIGTERM end the process at once (Interruption); the node can still stop for other reasons.
    private static async Task<IJobMessage> UntilStopped(Task<IJobMessage> outcome, ActorSystem system)
    {
        if (await Task.WhenAny(outcome, system.WhenTerminated) != outcome)
        {
            throw new OperationCanceledException("the node stopped before the job finished");
        }

        return await outcome;
    }
}
