using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cluster.Workers;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>Builds the host of a cluster node, of the standalone node inside <c>certify</c>, or of a client.</summary>
public static class ContractivityNode
{
    /// <summary>
    /// The settings of a node embedded in a process with other work (<c>certify</c>, the specs): loopback, any
    /// free port, both roles, one worker per core, the journal in memory.
    /// </summary>
    public static ContractivitySettings InProcess(int workers = 0)
    {
        var settings = new ContractivitySettings();
        settings.Node.Host = "127.0.0.1";
        settings.Node.Port = 0;
        settings.Workers.Count = workers;
        settings.Workers.InnerThreads = 1;
        settings.Persistence.Provider = PersistenceProviders.Memory;
        return settings;
    }

    /// <summary>The host of a cluster node with the given settings.</summary>
    /// <param name="settings">The node's settings.</param>
    /// <param name="quiet">Log nothing (the node inside <c>certify</c>), else log at info to stdout.</param>
    /// <param name="run">How workers run tasks (tests inject failures here).</param>
    /// <param name="standalone">No remoting and no cluster membership: the job manager, its coordinators, the
    /// dispatcher and the workers of one node, for a process that runs its own jobs and talks to nobody
    /// (<c>certify</c> without <c>--cluster</c>; it starts in a fraction of the time a cluster node takes).</param>
    public static IHost Build(ContractivitySettings settings, bool quiet, RunTask? run = null, bool standalone = false)
    {
        var builder = new HostBuilder();
        builder.ConfigureServices(services => services.AddSingleton<IHostLifetime, SignalFreeLifetime>()
            .AddAkka(settings.SystemName, akka => Configure(akka, settings, quiet, run, standalone)));
        return builder.Build();
    }

    /// <summary>
    /// The actor system of a cluster node (shared by <see cref="Build"/> and the node command); standalone: the
    /// same actors without remoting and membership (see <see cref="Build"/>).
    /// </summary>
    public static AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder akka, ContractivitySettings settings,
        bool quiet, RunTask? run = null, bool standalone = false)
    {
        Logging(akka, quiet);
        if (quiet)
        {
            // The one-node cluster has no peer to wait for: gossip and singleton hand-over run at once, and it
            // stops without leaving the cluster gracefully (there is nobody to hand over to).
            akka.AddHocon(
                """
                akka.cluster.periodic-tasks-initial-delay = 0s
                akka.cluster.leader-actions-interval = 50ms
                akka.cluster.gossip-interval = 100ms
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """, HoconAddMode.Prepend);
        }

        akka.WithContractivitySerialization();
        if (!standalone)
        {
            akka.WithContractivityRemoting(settings, settings.Node.Port).WithContractivityCluster(settings);
        }

        return akka.WithJobJournal(settings.Persistence)
            .WithJobManager(settings, quiet ? TimeSpan.FromMilliseconds(50) : null, standalone)
            .WithContractivityWorkers(settings, run);
    }

    /// <summary>The host of a client: remoting only, to reach a cluster's gateway.</summary>
    public static IHost Client(ContractivitySettings settings)
    {
        var builder = new HostBuilder();
        builder.ConfigureServices(services => services.AddSingleton<IHostLifetime, SignalFreeLifetime>()
            .AddAkka($"{settings.SystemName}-client", akka =>
        {
            Logging(akka, quiet: true);
            akka.WithContractivitySerialization()
                .AddHocon("akka.actor.provider = remote", HoconAddMode.Prepend)
                .WithContractivityRemoting(settings, 0);
        }));
        return builder.Build();
    }

    private static void Logging(AkkaConfigurationBuilder akka, bool quiet) =>
        akka.AddHocon(
            quiet
                ? "akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, "
                  + "log-dead-letters-during-shutdown = off }"
                : "akka { loglevel = INFO, stdout-loglevel = WARNING, log-dead-letters = off }",
            HoconAddMode.Prepend);

    /// <summary>
    /// The lifetime of the hosts built by <see cref="Build"/> and <see cref="Client"/>: they live inside a process
    /// that owns its signals (a one-shot command exits on SIGINT and SIGTERM; a test process has its runner), so
    /// unlike the console lifetime this one does not stop the host on a signal.
    /// </summary>
    private sealed class SignalFreeLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
