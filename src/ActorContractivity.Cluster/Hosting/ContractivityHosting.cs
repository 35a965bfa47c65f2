using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using SqlJournalOptions = Akka.Persistence.Sql.Hosting.SqlJournalOptions;
using SqlSnapshotOptions = Akka.Persistence.Sql.Hosting.SqlSnapshotOptions;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Akka.Remote.Transport.DotNetty;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Jobs;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Serialization;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Cluster.Workers;
using LinqToDB;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>The job manager's singleton proxy in the actor registry.</summary>
public sealed class JobManagerProxy;

/// <summary>
/// The Akka.Hosting configuration of a node, one extension method per concern; the command line and the tests
/// compose the same methods. HOCON is used only where Hosting has no option (Hyperion's settings, the SQLite
/// journal's parallelism, the compute dispatcher, the split-brain resolver's timing).
/// </summary>
public static class ContractivityHosting
{
    /// <summary>
    /// The singleton's name (manager at <c>/user/job-manager</c>, proxy at <c>/user/job-manager-proxy</c>).
    /// </summary>
    public const string JobManagerName = "job-manager";

    /// <summary>
    /// The largest message remoting carries: a few MB, so that no message holds up the heartbeats behind it for
    /// long; a model's weights travel in chunks of <see cref="JobDataStorage.ChunkBytes"/>.
    /// </summary>
    public const long MaxFrameBytes = 4L * 1024 * 1024;

    /// <summary>
    /// Hyperion for every message, with unsafe types refused; raw bytes for the chunks of a job's weights.
    /// </summary>
    public static AkkaConfigurationBuilder WithContractivitySerialization(this AkkaConfigurationBuilder builder) =>
        builder
            .AddHocon(
                """
                akka.actor {
                  serializers.hyperion = "Akka.Serialization.HyperionSerializer, Akka.Serialization.Hyperion"
                  serialization-bindings { "System.Object" = hyperion }
                  serialization-settings.hyperion {
                    disallow-unsafe-type = true
                    preserve-object-references = false
                  }
                }
                """, HoconAddMode.Prepend)
            .WithCustomSerializer("contractivity-job-data", [typeof(JobDataChunk)],
                system => new JobDataSerializer(system));

    /// <summary>Remoting (over TLS when a certificate is configured) for a node or a client.</summary>
    public static AkkaConfigurationBuilder WithContractivityRemoting(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings, int port)
    {
        var options = new RemoteOptions
        {
            HostName = settings.Node.Host,
            PublicHostName = settings.Node.PublicHost ?? settings.Node.Host,
            Port = port,
            MaxFrameSize = MaxFrameBytes,
            SendBufferSize = 2 * MaxFrameBytes,
            ReceiveBufferSize = 2 * MaxFrameBytes,
        };
        if (settings.Tls.Enabled)
        {
            options.EnableSsl = true;
            options.Ssl = Ssl(settings.Tls);
        }

        return builder.WithRemoting(options);
    }

    /// <summary>
    /// Cluster membership: roles, seed nodes (or joining itself when there are none), the split-brain resolver.
    /// </summary>
    public static AkkaConfigurationBuilder WithContractivityCluster(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings)
    {
        var scheme = settings.Tls.Enabled ? "akka.ssl.tcp" : "akka.tcp";
        builder.WithClustering(new ClusterOptions
        {
            Roles = settings.Node.EffectiveRoles.ToArray(),
            SeedNodes = settings.Node.SeedNodes.Select(s => $"{scheme}://{settings.SystemName}@{s}").ToArray(),
            SplitBrainResolver = SplitBrainResolverOption.Default,
        });
        builder.AddHocon(
            $"akka.cluster.split-brain-resolver.stable-after = {settings.Node.DownUnreachableAfterSeconds:0.###}s",
            HoconAddMode.Prepend);
        // Cluster Bootstrap (ClusterBootstrap) decides whom a node joins when it has no seed nodes.
        if (settings.Node.SeedNodes.Count == 0 && !settings.Bootstrap.Enabled)
        {
            builder.AddStartup((system, _) =>
                Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        }

        return builder;
    }

    /// <summary>
    /// The journal: SQLite files under the data directory (journal and snapshots apart, one writer), PostgreSQL by
    /// connection string, or memory; and the thread of the job data store, whose storage (beside the journal,
    /// <see cref="JobDataStorage.For"/>) blocks.
    /// </summary>
    public static AkkaConfigurationBuilder WithJobJournal(
        this AkkaConfigurationBuilder builder, PersistenceSettings settings)
    {
        builder.AddHocon($"{JobDataStore.StorageDispatcher} {{ type = PinnedDispatcher }}", HoconAddMode.Prepend);
        switch (settings.Provider.ToLowerInvariant())
        {
            case PersistenceProviders.Memory:
                return builder.WithInMemoryJournal().WithInMemorySnapshotStore();
            case PersistenceProviders.Sqlite:
                var directory = Path.GetFullPath(settings.DataDirectory);
                Directory.CreateDirectory(directory);
                builder.AddHocon("akka.persistence.journal.sql.parallelism = 1", HoconAddMode.Prepend);
                return builder.WithSqlPersistence(
                    new SqlJournalOptions(true)
                    {
                        ConnectionString = $"Data Source={Path.Combine(directory, "journal.db")}",
                        ProviderName = ProviderName.SQLiteMS,
                        AutoInitialize = true,
                    },
                    new SqlSnapshotOptions(true)
                    {
                        ConnectionString = $"Data Source={Path.Combine(directory, "snapshots.db")}",
                        ProviderName = ProviderName.SQLiteMS,
                        AutoInitialize = true,
                    });
            case PersistenceProviders.PostgreSql:
                if (string.IsNullOrWhiteSpace(settings.ConnectionString))
                {
                    throw new ArgumentException(
                        "Persistence:ConnectionString: PostgreSQL needs a connection string "
                        + $"({ContractivitySettings.EnvironmentPrefix}Persistence__ConnectionString)");
                }

                return builder.WithSqlPersistence(settings.ConnectionString, ProviderName.PostgreSQL15);
            default:
                throw new ArgumentException(
                    $"Persistence:Provider: expected sqlite, postgresql or memory, got '{settings.Provider}'");
        }
    }

    /// <summary>
    /// The job manager: the singleton itself on nodes with the coordinator role (with the store of job data that
    /// goes with the journal), its proxy on every node, and the gateway that clients talk to. A standalone node
    /// (no remoting, no membership: <c>certify</c> in one process) runs the same manager as a plain actor.
    /// </summary>
    public static AkkaConfigurationBuilder WithJobManager(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings, TimeSpan? identifyEvery = null,
        bool standalone = false)
    {
        var options = new ClusterSingletonOptions
        {
            Role = ClusterRoles.Coordinator,
            SingletonIdentificationInterval = identifyEvery,
        };
        if (standalone)
        {
            var storage = JobDataStorage.For(settings.Persistence);
            builder.WithActors((system, registry) => registry.Register<JobManagerProxy>(
                system.ActorOf(JobManager.Props(settings.Dispatch, storage), JobManagerName)));
        }
        else if (settings.Node.EffectiveRoles.Contains(ClusterRoles.Coordinator))
        {
            var storage = JobDataStorage.For(settings.Persistence);
            builder.WithSingleton<JobManagerProxy>(JobManagerName,
                (_, _, _) => JobManager.Props(settings.Dispatch, storage), options);
        }
        else
        {
            builder.WithSingletonProxy<JobManagerProxy>(JobManagerName, options);
        }

        return builder.WithActors((system, registry) =>
            registry.Register<Gateway>(system.ActorOf(
                Props.Create(() => new Gateway(registry.Get<JobManagerProxy>())), Gateway.Name)));
    }

    /// <summary>
    /// The workers of a node with the worker role (one per core unless configured), their compute dispatcher with
    /// one dedicated thread each (which the node's layer shards share), the node's job data cache and its shard host.
    /// </summary>
    public static AkkaConfigurationBuilder WithContractivityWorkers(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings, RunTask? run = null)
    {
        if (!settings.Node.EffectiveRoles.Contains(ClusterRoles.Worker))
        {
            return builder;
        }

        var count = settings.Workers.EffectiveCount;
        return builder.WithComputeDispatcher(count).WithActors((system, registry) =>
        {
            var cache = system.ActorOf(Props.Create(() => new JobDataCache()), "job-data");
            var proxy = registry.Get<JobManagerProxy>();
            system.ActorOf(ShardHost.Props(proxy, settings.Workers.InnerThreads, count), ShardHost.Name);
            for (var i = 0; i < count; i++)
            {
                system.ActorOf(Worker.Props(proxy, cache, settings.Workers, settings.Dispatch.LeaseSeconds, run),
                    $"worker-{i}");
            }
        });
    }

    /// <summary>The compute dispatcher of the workers' computations: one dedicated thread per worker.</summary>
    public static AkkaConfigurationBuilder WithComputeDispatcher(this AkkaConfigurationBuilder builder, int threads) =>
        builder.AddHocon(
            $$"""
            {{Worker.ComputeDispatcher}} {
              type = ForkJoinDispatcher
              throughput = 1
              dedicated-thread-pool { thread-count = {{threads}}, threadtype = background }
            }
            """, HoconAddMode.Prepend);

    /// <summary>
    /// TLS with the node's certificate; a peer's certificate must be one of the pinned thumbprints (any case, colons
    /// or spaces allowed) or, with none pinned, chain to a trusted root; optionally it must also name the host.
    /// </summary>
    private static SslOptions Ssl(TlsSettings tls)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath!, tls.CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException(
                $"Tls:CertificatePath: cannot load '{tls.CertificatePath}': {e.Message.ReplaceLineEndings(" ")}", e);
        }

        var pinned = tls.AllowedThumbprints
            .Select(t => new string(t.Where(char.IsAsciiHexDigit).ToArray()).ToUpperInvariant())
            .Where(t => t.Length > 0)
            .ToArray();
        var checks = new List<CertificateValidationCallback>
        {
            pinned.Length > 0 ? CertificateValidation.PinnedCertificate(pinned) : CertificateValidation.ValidateChain(),
        };
        if (tls.ValidateCertificateHostname)
        {
            checks.Add(CertificateValidation.ValidateHostname());
        }

        return new SslOptions
        {
            X509Certificate = certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = tls.RequireMutualAuthentication,
            ValidateCertificateHostname = tls.ValidateCertificateHostname,
            CustomValidator = checks.Count == 1 ? checks[0] : CertificateValidation.Combine(checks.ToArray()),
        };
    }
}
