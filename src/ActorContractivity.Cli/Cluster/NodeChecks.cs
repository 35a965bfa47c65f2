using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// What the commands that start an actor system check first: settings of the right type and within their range
/// (every such command), and for <c>node</c> its ports and that the SQLite files of its data directory (journal,
/// snapshots, job data store) are databases. The journal fails later only inside the actor system,
/// where the node would go on running without persistence; here it is refused at once with one line.
/// </summary>
public static partial class NodeChecks
{
    /// <summary>The SQLite files a node keeps in its data directory.</summary>
    public static readonly IReadOnlyList<string> SqliteFiles =
        ["journal.db", "snapshots.db", JobDataStorage.SqliteFile];

    /// <summary>The 16 bytes every SQLite 3 database begins with.</summary>
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>
    /// Reads the settings (appsettings.json, environment, <paramref name="overrides"/>), refusing a value that is not
    /// of its setting's type with one line naming the setting, where binding would throw.
    /// </summary>
    /// <exception cref="InputException">A value cannot be read as its setting's type.</exception>
    public static ContractivitySettings Load(IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ContractivitySettings settings;
        var configuration = ContractivitySettings.Configuration(overrides);
        try
        {
            settings = ContractivitySettings.From(configuration);
        }
        catch (InvalidOperationException e) when (Unconvertible().Match(e.Message) is { Success: true } match)
        {
            var key = match.Groups["key"].Value;
            var kind = match.Groups["type"].Value switch
            {
                "System.Int32" or "System.Nullable`1[System.Int32]" => "a whole number",
                "System.Double" => "a number",
                "System.Boolean" => "true or false",
                var type => $"a value of type {type}",
            };
            var variable = ContractivitySettings.EnvironmentPrefix
                + key[(ContractivitySettings.Section.Length + 1)..].Replace(":", "__", StringComparison.Ordinal);
            throw new InputException($"{key} ({variable}): expected {kind}, got '{match.Groups["value"].Value}'");
        }

        CheckValues(settings, key => configuration[$"{ContractivitySettings.Section}:{key}"]);
        return settings;
    }

    /// <summary>
    /// Refuses settings of the right type but outside what they mean, before an actor system is built from them:
    /// a system name Akka does not accept, an unknown journal provider or discovery method, a TLS certificate that
    /// is missing or unreadable, counts below one and durations that are not positive.
    /// </summary>
    /// <param name="settings">The settings, as bound.</param>
    /// <param name="typed">A setting's value as it was given (by key, without the section), if known: a number is
    /// then refused as typed (1e400, not the Infinity it was read as).</param>
    /// <exception cref="InputException">A setting is out of its range, with one line naming it.</exception>
    public static void CheckValues(ContractivitySettings settings, Func<string, string?>? typed = null)
    {
        void Positive(string key, double value)
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw Refused(key, "a positive number of seconds", typed?.Invoke(key) ?? Shown(value));
            }
        }

        if (!SystemNamePattern().IsMatch(settings.SystemName))
        {
            throw Refused("SystemName", "letters, digits, '-' and '_', beginning with a letter or a digit",
                settings.SystemName);
        }

        Among("Persistence:Provider", settings.Persistence.Provider,
            [PersistenceProviders.Sqlite, PersistenceProviders.PostgreSql, PersistenceProviders.Memory]);
        Among("Bootstrap:Discovery", settings.Bootstrap.Discovery,
            [DiscoveryMethods.None, DiscoveryMethods.Config, DiscoveryMethods.Kubernetes]);
        AtLeast("Workers:Count", settings.Workers.Count, 0, "0 (one worker per core) or more");
        AtLeast("Workers:InnerThreads", settings.Workers.InnerThreads, 1, "1 or more");
        AtLeast("Dispatch:MaxAttempts", settings.Dispatch.MaxAttempts, 1, "1 or more");
        AtLeast("Bootstrap:RequiredContactPoints", settings.Bootstrap.RequiredContactPoints, 1, "1 or more");
        Positive("Bootstrap:StableMarginSeconds", settings.Bootstrap.StableMarginSeconds);
        var lease = settings.Dispatch.LeaseSeconds;
        if (!(lease >= 1) || double.IsInfinity(lease))
        {
            throw Refused("Dispatch:LeaseSeconds", "a number of seconds, at least 1",
                typed?.Invoke("Dispatch:LeaseSeconds") ?? Shown(lease));
        }

        if (string.IsNullOrEmpty(settings.Node.Host))
        {
            // Akka would bind an empty host to every interface without a word; that takes 0.0.0.0, said outright.
            throw Refused("Node:Host", "a host name or an IP address (0.0.0.0 for every interface)", "");
        }

        string?[] hosts = [settings.Node.Host, settings.Node.PublicHost];
        foreach (var (key, host) in new[] { "Node:Host", "Node:PublicHost" }.Zip(hosts))
        {
            if (host is { Length: > 0 } && Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                throw Refused(key, "a host name or an IP address", host);
            }
        }

        Positive("Workers:IdleRequestSeconds", settings.Workers.IdleRequestSeconds);
        Positive("Node:DownUnreachableAfterSeconds", settings.Node.DownUnreachableAfterSeconds);
        Positive("Shutdown:LeaveTimeoutSeconds", settings.Shutdown.LeaveTimeoutSeconds);
        if (settings.Tls.CertificatePath is { Length: > 0 } certificate)
        {
            if (!File.Exists(certificate))
            {
                throw Refused("Tls:CertificatePath", "a PKCS #12 certificate file", certificate, "no such file");
            }

            try
            {
                using var loaded = System.Security.Cryptography.X509Certificates.X509CertificateLoader
                    .LoadPkcs12FromFile(certificate, settings.Tls.CertificatePassword);
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException
                or UnauthorizedAccessException)
            {
                throw Refused("Tls:CertificatePath", "a PKCS #12 certificate file that Tls:CertificatePassword opens",
                    certificate, InputFile.OneLine(e.Message).TrimEnd('.'));
            }
        }
    }

    private static void Among(string key, string value, string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            throw Refused(key, string.Join(", ", allowed[..^1]) + " or " + allowed[^1], value);
        }
    }

    private static void AtLeast(string key, int value, int least, string expected)
    {
        if (value < least)
        {
            throw Refused(key, expected, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Shown(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One line naming the setting, its environment variable, what it should be, what it is and why not.
    /// </summary>
    private static InputException Refused(string key, string expected, string got, string? why = null) =>
        new($"{ContractivitySettings.Section}:{key} ({ContractivitySettings.EnvironmentPrefix}"
            + $"{key.Replace(":", "__", StringComparison.Ordinal)}): expected {expected}, got '{got}'"
            + (why is null ? "" : $" ({why})"));

    /// <summary>Refuses settings the node cannot start with.</summary>
    /// <param name="settings">The node's settings.</param>
    /// <param name="dataOption">The option that gave the data directory, or null when it came from the settings.
    /// </param>
    /// <exception cref="InputException">A port is out of range, or the data directory or a file in it is unusable.
    /// </exception>
    public static void Check(ContractivitySettings settings, string? dataOption)
    {
        if (settings.Node.Port is < 0 or > 65535)
        {
            throw Refused("Node:Port", "a port, a whole number from 0 to 65535",
                settings.Node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (settings.Management.Port is < 1 or > 65535)
        {
            throw Refused("Management:Port", "a port, a whole number from 1 to 65535",
                settings.Management.Port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!string.Equals(settings.Bootstrap.Discovery, DiscoveryMethods.None, StringComparison.OrdinalIgnoreCase)
            && settings.Management.Port is null)
        {
            throw Refused("Management:Port", "a port for the management endpoint, where Cluster Bootstrap's nodes ask "
                + "each other", "", $"Bootstrap:Discovery is {settings.Bootstrap.Discovery}");
        }

        if (string.Equals(settings.Persistence.Provider, PersistenceProviders.PostgreSql,
                StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(settings.Persistence.ConnectionString))
        {
            throw Refused("Persistence:ConnectionString", "a connection string", "",
                "Persistence:Provider is postgresql");
        }

        var provider = settings.Persistence.Provider;
        if (string.Equals(provider, PersistenceProviders.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            CheckDataDirectory(settings.Persistence.DataDirectory,
                dataOption ?? $"{ContractivitySettings.Section}:Persistence:DataDirectory");
        }
    }

    /// <summary>Refuses a data directory that is a file (or lies under one) and SQLite files that are not databases.
    /// </summary>
    /// <exception cref="InputException">It is unusable.</exception>
    public static void CheckDataDirectory(string directory, string option)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new InputException($"{option}: the path is empty");
        }

        var full = Path.GetFullPath(directory);
        for (var place = full; place is not null; place = Path.GetDirectoryName(place))
        {
            if (File.Exists(place))
            {
                throw new InputException(place == full
                    ? $"{option}: {directory} is a file; the node keeps its SQLite journal in a directory"
                    : $"{option}: {place} is a file, so the data directory {directory} cannot be created there");
            }

            if (Directory.Exists(place))
            {
                break;
            }
        }

        foreach (var name in SqliteFiles)
        {
            CheckDatabase(Path.Combine(full, name));
        }
    }

    /// <summary>Refuses a file that exists and is not a readable SQLite database; an absent or empty one is created.
    /// </summary>
    private static void CheckDatabase(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException($"{path}: is a directory, not a SQLite database (move it away)");
        }

        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return;
        }

        var start = new byte[Header.Length];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot be read: {InputFile.OneLine(e.Message)}");
        }

        if (read < Header.Length || !start.AsSpan().SequenceEqual(Header))
        {
            throw new InputException($"{path}: is not a SQLite database (it does not begin with 'SQLite format 3'); "
                + "restore it or move it away");
        }

        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        };
        try
        {
            using var sqlite = new SqliteConnection(connection.ConnectionString);
            sqlite.Open();
            using var query = sqlite.CreateCommand();
            query.CommandText = "SELECT count(*) FROM sqlite_master";
            query.ExecuteScalar();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is not (5 or 6))
        {
            // 5 and 6 (busy, locked): another process holds the file, which is a database.
            throw new InputException($"{path}: is not a usable SQLite database ({InputFile.OneLine(e.Message)}); "
                + "restore it or move it away");
        }
    }

    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>Contractivity:[^']+)' to type "
        + "'(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex Unconvertible();

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$")]
    private static partial Regex SystemNamePattern();
}
