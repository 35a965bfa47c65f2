using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// A throw-away PostgreSQL server on 127.0.0.1 and a free port, its data in a temporary directory (trust
/// authentication, fsync off). The server binaries must be installed (Debian: <c>apt-get install -y postgresql</c>;
/// ./test.sh installs them when it runs as root). PostgreSQL refuses to run as root, so under root the server runs
/// as the <c>postgres</c> user the package creates.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly Processes.Started _server;

    private PostgresServer(string directory, Processes.Started server, int port, string user)
    {
        _directory = directory;
        _server = server;
        Port = port;
        User = user;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The superuser it was initialised with.</summary>
    public string User { get; }

    /// <summary>Initialises a cluster, starts the server and creates the database.</summary>
    public static PostgresServer Start(Processes processes, string user, string database)
    {
        var bin = BinDirectory();
        var directory = Directory.CreateTempSubdirectory("contractivity-postgres-").FullName;
        var data = Path.Combine(directory, "data");
        var asRoot = geteuid() == 0;
        if (asRoot)
        {
            Run(processes, "chown", ["-R", "postgres:postgres", directory]);
        }

        Run(processes, Path.Combine(bin, "initdb"),
            ["-D", data, "-U", user, "--auth=trust", "--encoding=UTF8", "--no-locale"], asRoot);
        var port = Processes.FreePorts(1)[0];
        var server = processes.Start("postgres", Command(Path.Combine(bin, "postgres"),
            ["-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
                "-c", $"unix_socket_directories={directory}", "-c", "fsync=off"], asRoot));
        var postgres = new PostgresServer(directory, server, port, user);
        processes.WaitFor(postgres.Answers, Patience, "PostgreSQL to accept connections");
        using var connection = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
        create.ExecuteNonQuery();
        return postgres;
    }

    /// <summary>A connection string to one of its databases.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = User, Database = database, Pooling = false,
        }.ConnectionString;

    /// <summary>The rows of a query, each as its columns' text.</summary>
    public IReadOnlyList<string[]> Query(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount)
                .Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "").ToArray());
        }

        return rows;
    }

    /// <summary>Stops the server (SIGINT: fast shutdown, SIGKILL if it lingers) and removes its data.</summary>
    public void Dispose()
    {
        if (!_server.Process.HasExited)
        {
            _server.Interrupt();
            if (!_server.Process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _server.Kill();
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// The directory of initdb and postgres: Debian's /usr/lib/postgresql/VERSION/bin (the newest), else the PATH.
    /// </summary>
    public static string BinDirectory()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        return debian.Concat(path).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb"))
                   && File.Exists(Path.Combine(d, "postgres")))
               ?? throw new InvalidOperationException(
                   "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on PATH: "
                   + "install them (Debian: apt-get install -y postgresql; ./test.sh does it when run as root)");
    }

    private bool Answers()
    {
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            connection.Open();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    private static void Run(Processes processes, string program, string[] arguments, bool asPostgres = false)
    {
        var run = processes.Start(Path.GetFileName(program), Command(program, arguments, asPostgres));
        Assert.True(run.Exit(Patience) == 0, $"{program} {string.Join(' ', arguments)} failed:\n{run.Tail(20)}");
    }

    /// <summary>The command, under root run as the postgres user (setpriv replaces itself with the program).</summary>
    private static ProcessStartInfo Command(string program, string[] arguments, bool asPostgres)
    {
        // The postgres user may not enter the test's working directory.
        var start = new ProcessStartInfo(asPostgres ? "setpriv" : program) { WorkingDirectory = "/" };
        if (asPostgres)
        {
            foreach (var option in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", program })
            {
                start.ArgumentList.Add(option);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    [DllImport("libc")]
    private static extern uint geteuid();
}
