using Microsoft.Extensions.Configuration;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// Everything a node is configured with, bound from the <c>Contractivity</c> section of appsettings.json and from
/// environment variables <c>ACTORCONTRACTIVITY_&lt;Section&gt;__&lt;Key&gt;</c> (for example
/// <c>ACTORCONTRACTIVITY_Node__Port=4053</c>, <c>ACTORCONTRACTIVITY_Persistence__ConnectionString=…</c>);
/// command-line options override both. README lists every key.
/// </summary>
public sealed class ContractivitySettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Contractivity";

    /// <summary>The prefix of the environment variables that configure a node.</summary>
    public const string EnvironmentPrefix = "ACTORCONTRACTIVITY_";

    /// <summary>The actor system's name: every node and client of one cluster uses the same.</summary>
    public string SystemName { get; set; } = "actorcontractivity";

    /// <summary>Where the node listens and whom it joins.</summary>
    public NodeSettings Node { get; set; } = new();

    /// <summary>The workers of a node with the worker role.</summary>
    public WorkerSettings Workers { get; set; } = new();

    /// <summary>Leases and retries of the task dispatcher.</summary>
    public DispatchSettings Dispatch { get; set; } = new();

    /// <summary>The job journal.</summary>
    public PersistenceSettings Persistence { get; set; } = new();

    /// <summary>TLS for remoting; off unless a certificate is given.</summary>
    public TlsSettings Tls { get; set; } = new();

    /// <summary>The HTTP endpoint of the node command: health probes, Cluster Bootstrap's contact point.</summary>
    public ManagementSettings Management { get; set; } = new();

    /// <summary>How the node finds the cluster when it has no seed nodes: Cluster Bootstrap's discovery.</summary>
    public BootstrapSettings Bootstrap { get; set; } = new();

    /// <summary>The graceful leave on SIGTERM.</summary>
    public ShutdownSettings Shutdown { get; set; } = new();

    /// <summary>Binds the settings from configuration (missing keys keep their defaults).</summary>
    public static ContractivitySettings From(IConfiguration configuration)
    {
        var settings = new ContractivitySettings();
        configuration.GetSection(Section).Bind(settings);
        return settings;
    }

    /// <summary>
    /// The configuration of a node: appsettings.json beside the executable, then the environment variables
    /// <c>ACTORCONTRACTIVITY_&lt;Section&gt;__&lt;Key&gt;</c> (read into the <see cref="Section"/> section), then the
    /// command line's overrides.
    /// </summary>
    public static IConfigurationRoot Configuration(IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => (Key: (string)e.Key, Value: (string?)e.Value))
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(e => KeyValuePair.Create(
                $"{Section}:{e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)}",
                e.Value));
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddInMemoryCollection(environment)
            .AddInMemoryCollection(overrides ?? [])
            .Build();
    }
}

/// <summary>Where a node listens and whom it joins.</summary>
public sealed class NodeSettings
{
    /// <summary>The address remoting binds to.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The address other nodes reach this one at (default: <see cref="Host"/>).</summary>
    public string? PublicHost { get; set; }

    /// <summary>The remoting port (0: any free port).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>Seed nodes as HOST:PORT; empty means this node starts a cluster of its own.</summary>
    public List<string> SeedNodes { get; set; } = [];

    /// <summary>
    /// Roles: <c>worker</c> runs tasks, <c>coordinator</c> may host the job manager; empty means both.
    /// </summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The roles in effect.</summary>
    public IReadOnlyList<string> EffectiveRoles =>
        Roles.Count > 0 ? Roles.Distinct().ToArray() : [ClusterRoles.Worker, ClusterRoles.Coordinator];

    /// <summary>Seconds an unreachable member stays before the split-brain resolver downs it.</summary>
    public double DownUnreachableAfterSeconds { get; set; } = 10;
}

/// <summary>The workers of a node.</summary>
public sealed class WorkerSettings
{
    /// <summary>Workers on the node; 0 means one per core.</summary>
    public int Count { get; set; }

    /// <summary>
    /// Threads one task may use inside Core (enumeration chunks, polishing); results do not depend on it.
    /// </summary>
    public int InnerThreads { get; set; } = 1;

    /// <summary>Seconds between work requests of an idle worker (so a new dispatcher learns of it).</summary>
    public double IdleRequestSeconds { get; set; } = 1;

    /// <summary>The number of workers in effect.</summary>
    public int EffectiveCount => Count > 0 ? Count : Environment.ProcessorCount;
}

/// <summary>Leases and retries of the task dispatcher.</summary>
public sealed class DispatchSettings
{
    /// <summary>Seconds a task stays leased without word from its worker before it is issued again.</summary>
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>Attempts of a task that throws before its job fails with the task's message.</summary>
    public int MaxAttempts { get; set; } = 3;
}

/// <summary>The journal of jobs.</summary>
public sealed class PersistenceSettings
{
    /// <summary>
    /// <c>sqlite</c> (default, files under <see cref="DataDirectory"/>), <c>postgresql</c> or <c>memory</c>.
    /// </summary>
    public string Provider { get; set; } = PersistenceProviders.Sqlite;

    /// <summary>The directory of the SQLite journal and snapshot files.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The connection string for PostgreSQL (ignored for SQLite).</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Remoting over TLS with mutual authentication, when a certificate is configured.</summary>
public sealed class TlsSettings
{
    /// <summary>A PKCS#12 (.pfx) file with the node's certificate and private key; null turns TLS off.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of the certificate file.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Both ends present a certificate and check the other's (on by default).</summary>
    public bool RequireMutualAuthentication { get; set; } = true;

    /// <summary>
    /// Thumbprints of the certificates a peer may present (for a self-signed cluster certificate, its own);
    /// empty means the peer's chain must validate against the machine's trusted roots.
    /// </summary>
    public List<string> AllowedThumbprints { get; set; } = [];

    /// <summary>Check that the peer's certificate names the host it was reached at.</summary>
    public bool ValidateCertificateHostname { get; set; }

    /// <summary>True when TLS is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>The roles a node can have.</summary>
public static class ClusterRoles
{
    /// <summary>Runs tasks.</summary>
    public const string Worker = "worker";

    /// <summary>May host the job manager (a cluster singleton among the nodes with this role).</summary>
    public const string Coordinator = "coordinator";
}

/// <summary>The journal providers.</summary>
public static class PersistenceProviders
{
    /// <summary>SQLite files under the data directory.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>PostgreSQL by connection string.</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>In memory: nothing survives the process (the node inside <c>certify</c>).</summary>
    public const string Memory = "memory";
}
