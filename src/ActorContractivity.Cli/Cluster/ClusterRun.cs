using System.Runtime.InteropServices;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    /// <exception cref="TimeoutException">The cluster at <paramref name="cluster"/> did not accept the job.</exception>
    /// <exception cref="OperationCanceledException">The process was interrupted (SIGINT, SIGTERM): the host stops
    /// the actor system on a signal, so the job's outcome would never arrive.</exception>
    public static IJobMessage Run(NeuralOdeModel model, JobSettings job, string? cluster, ProgressDisplay display)
    {
        if (cluster is null)
        {
            var (system, gateway) = InProcessCluster.Get();
            return display.Follow(
                UntilStopped(JobClient.RunAsync(system, gateway, model, job, display.Report, AcceptTimeout), system));
        }

        var settings = ContractivitySettings.From(ContractivitySettings.Configuration());
        using var host = ContractivityNode.Client(settings);
        host.Start();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var gateway = JobClient.Gateway(system, settings, cluster);
            return display.Follow(
                UntilStopped(JobClient.RunAsync(system, gateway, model, job, display.Report, AcceptTimeout), system));
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static async Task<IJobMessage> UntilStopped(Task<IJobMessage> outcome, ActorSystem system)
    {
        // The signal is answered at once: the node's own shutdown would wait for worker threads that may be inside
        // a long Core call, which nothing can cancel.
        var interrupted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.TrySetResult();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        if (await Task.WhenAny(outcome, system.WhenTerminated, interrupted.Task) != outcome)
        {
            throw new OperationCanceledException("the process was interrupted before the job finished");
        }

        return await outcome;
    }
}
