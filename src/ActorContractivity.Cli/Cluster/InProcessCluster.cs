using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// The one-node cluster that <c>certify</c> runs its jobs in when no <c>--cluster</c> is given: started on first
/// use, shared by every job of the process (several may run at once), stopped by <see cref="Stop"/> at exit.
/// </summary>
public static class InProcessCluster
{
    private static readonly Lock Gate = new();
    private static IHost? _host;

    /// <summary>The running cluster's actor system and gateway, starting the cluster if needed.</summary>
    public static (ActorSystem System, IActorRef Gateway) Get()
    {
        lock (Gate)
        {
            if (_host is null)
            {
                var host = ContractivityNode.Build(ContractivityNode.InProcess(), quiet: true);
                host.Start();
                _host = host;
            }

            return (_host.Services.GetRequiredService<ActorSystem>(),
                _host.Services.GetRequiredService<IActorRegistry>().Get<Gateway>());
        }
    }

    /// <summary>Stops the cluster if it was started; the one node has nobody to hand over to, so it just stops.</summary>
    public static void Stop()
    {
        lock (Gate)
        {
            if (_host is null)
            {
                return;
            }

            _host.Services.GetRequiredService<ActorSystem>().Terminate().Wait(TimeSpan.FromSeconds(5));
            _host.StopAsync().GetAwaiter().GetResult();
            _host.Dispose();
            _host = null;
        }
    }
}
