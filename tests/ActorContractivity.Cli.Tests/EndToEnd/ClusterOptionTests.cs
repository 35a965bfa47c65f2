using System.Text;
using Microsoft.Data.Sqlite;
using ActorContractivity.Cli.Cluster;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Tests.Loading;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>
/// Bad options and data directories of <c>node</c> and <c>probe</c>: exit code 2 and one line naming the option or
/// file, before any actor system is started (a check that let one through would leave the node running, so every run
/// here has a time limit).
/// </summary>
public sealed class ClusterOptionTests
{
    private static CliResult RunBriefly(params string[] args)
    {
        var run = Task.Run(() => Cli.Run(args));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), $"actorcontractivity {string.Join(' ', args)} kept running");
        return run.Result;
    }

    public static TheoryData<string[], string> BadPorts => new()
    {
        { ["node", "--port", "70000"], "--port: expected a port, a whole number from 0 to 65535, got '70000'" },
        { ["node", "--port", "abc"], "--port: expected a port, a whole number from 0 to 65535, got 'abc'" },
        { ["node", "--port", "4053.5"], "--port: expected a port, a whole number from 0 to 65535, got '4053.5'" },
        { ["probe", "live", "--port", "0"], "--port: expected a port, a whole number from 1 to 65535, got '0'" },
        { ["probe", "ready", "--port", "65536"],
            "--port: expected a port, a whole number from 1 to 65535, got '65536'" },
        { ["probe", "live", "--port", "x"], "--port: expected a port, a whole number from 1 to 65535, got 'x'" },
        { ["status", "--cluster", "127.0.0.1:70000"],
            "--cluster: expected HOST:PORT with a port in 1–65535, got '127.0.0.1:70000'" },
    };

    [Theory]
    [MemberData(nameof(BadPorts))]
    public void A_port_out_of_range_or_not_a_whole_number_is_refused_with_one_line_naming_the_range(
        string[] args, string expected)
    {
        var run = RunBriefly(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines));
        Assert.DoesNotContain("System.", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Persistence:Provider", "oracle", "expected sqlite, postgresql or memory, got 'oracle'" },
        { "Bootstrap:Discovery", "dns", "expected none, config or kubernetes, got 'dns'" },
        { "SystemName", "bad/name", "expected letters, digits, '-' and '_', beginning with a letter or a digit, "
            + "got 'bad/name'" },
        { "Workers:Count", "-3", "expected 0 (one worker per core) or more, got '-3'" },
        { "Workers:InnerThreads", "0", "expected 1 or more, got '0'" },
        { "Dispatch:MaxAttempts", "0", "expected 1 or more, got '0'" },
        { "Dispatch:LeaseSeconds", "0", "expected a number of seconds, at least 1, got '0'" },
        { "Shutdown:LeaveTimeoutSeconds", "-5", "expected a positive number of seconds, got '-5'" },
        { "Node:DownUnreachableAfterSeconds", "NaN", "expected a positive number of seconds, got 'NaN'" },
        { "Dispatch:LeaseSeconds", "1e-300", "expected a number of seconds, at least 1, got '1e-300'" },
        { "Node:DownUnreachableAfterSeconds", "1e400", "expected a positive number of seconds, got '1e400'" },
        { "Bootstrap:RequiredContactPoints", "0", "expected 1 or more, got '0'" },
        { "Bootstrap:StableMarginSeconds", "0", "expected a positive number of seconds, got '0'" },
        { "Node:Host", "not a host", "expected a host name or an IP address, got 'not a host'" },
        { "Node:Host", "", "expected a host name or an IP address (0.0.0.0 for every interface), got ''" },
        { "Node:PublicHost", "a/b", "expected a host name or an IP address, got 'a/b'" },
        { "Tls:CertificatePath", "/nonexistent/node.pfx", "expected a PKCS #12 certificate file, got "
            + "'/nonexistent/node.pfx' (no such file)" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_setting_of_its_type_but_out_of_its_range_is_refused_with_one_line_naming_it(
        string key, string value, string expected)
    {
        var error = Assert.Throws<InputException>(() => NodeChecks.Load([new($"Contractivity:{key}", value)]));
        Assert.Equal($"Contractivity:{key} (ACTORCONTRACTIVITY_{key.Replace(":", "__", StringComparison.Ordinal)}): "
            + expected, error.Message);
    }

    [Fact]
    public void A_certificate_file_that_is_not_pkcs12_is_refused_naming_the_file()
    {
        using var temp = new TempDirectory();
        var file = temp.Write("node.pfx", "not a certificate");
        var error = Assert.Throws<InputException>(() =>
            NodeChecks.Load([new("Contractivity:Tls:CertificatePath", file)]));
        Assert.StartsWith("Contractivity:Tls:CertificatePath (ACTORCONTRACTIVITY_Tls__CertificatePath): expected a "
            + $"PKCS #12 certificate file that Tls:CertificatePassword opens, got '{file}' (", error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_default_settings_pass_the_checks()
    {
        var settings = NodeChecks.Load();
        Assert.Equal(("actorcontractivity", "sqlite"), (settings.SystemName, settings.Persistence.Provider));
    }

    [Fact]
    public void A_data_directory_that_is_empty_a_file_or_under_a_file_is_refused()
    {
        using var temp = new TempDirectory();
        var file = temp.Write("data.txt", "not a directory");
        var isFile = RunBriefly("node", "--port", "0", "--data", file);
        Assert.Equal(2, isFile.ExitCode);
        Assert.Equal([$"--data: {file} is a file; the node keeps its SQLite journal in a directory"],
            isFile.ErrorLines);

        var under = RunBriefly("node", "--port", "0", "--data", Path.Combine(file, "data"));
        Assert.Equal(2, under.ExitCode);
        Assert.Equal([$"--data: {file} is a file, so the data directory {Path.Combine(file, "data")} cannot be "
            + "created there"], under.ErrorLines);
        var empty = RunBriefly("node", "--port", "0", "--data", "");
        Assert.Equal(2, empty.ExitCode);
        Assert.Equal(["--data: the path is empty"], empty.ErrorLines);
        Assert.Equal(["data.txt"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_journal_of_random_bytes_is_refused_at_startup_naming_the_file()
    {
        using var temp = new TempDirectory();
        var bytes = new byte[8192];
        new Random(1).NextBytes(bytes);
        var journal = temp.Write("data/journal.db", bytes);
        var run = RunBriefly("node", "--port", "0", "--data", Path.Combine(temp.Path, "data"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"{journal}: is not a SQLite database (it does not begin with 'SQLite format 3'); restore it "
            + "or move it away"], run.ErrorLines);
        Assert.Empty(run.Stdout);
        Assert.Equal(bytes, File.ReadAllBytes(journal));
    }

    [Fact]
    public void A_job_data_store_with_a_SQLite_header_but_a_corrupt_body_is_refused_and_a_sound_database_is_accepted()
    {
        using var temp = new TempDirectory();
        var data = Path.Combine(temp.Path, "data");
        var sound = Path.Combine(data, "journal.db");
        Directory.CreateDirectory(data);
        using (var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
               {
                   DataSource = sound, Pooling = false,
               }.ConnectionString))
        {
            sqlite.Open();
            using var create = sqlite.CreateCommand();
            create.CommandText = "CREATE TABLE t (x INTEGER)";
            create.ExecuteNonQuery();
        }

        temp.Write("data/snapshots.db", []);
        NodeChecks.CheckDataDirectory(data, "--data");

        var body = new byte[4096];
        new Random(2).NextBytes(body);
        var store = temp.Write("data/jobdata.db", [.. Encoding.ASCII.GetBytes("SQLite format 3\0"), .. body]);
        var refused = Assert.Throws<InputException>(() => NodeChecks.CheckDataDirectory(data, "--data"));
        Assert.StartsWith($"{store}: is not a usable SQLite database (SQLite Error ", refused.Message);
        Assert.EndsWith("; restore it or move it away", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void Ports_from_the_settings_are_checked_like_the_options()
    {
        var node = new ContractivitySettings { Persistence = { Provider = PersistenceProviders.Memory } };
        node.Node.Port = 70000;
        Assert.Equal("Contractivity:Node:Port (ACTORCONTRACTIVITY_Node__Port): expected a port, a whole number from 0 "
            + "to 65535, got '70000'", Assert.Throws<InputException>(() => NodeChecks.Check(node, null)).Message);

        var management = new ContractivitySettings { Persistence = { Provider = PersistenceProviders.Memory } };
        management.Management.Port = 0;
        Assert.Equal("Contractivity:Management:Port (ACTORCONTRACTIVITY_Management__Port): expected a port, a whole "
            + "number from 1 to 65535, got '0'", Assert.Throws<InputException>(() => NodeChecks.Check(management, null))
            .Message);
    }

    [Theory]
    [InlineData("", "JOB: the job id is empty")]
    [InlineData("-x", "JOB: expected a job id (the one in the progress line), got the option-like '-x'")]
    public void Cancel_refuses_a_job_id_that_is_empty_or_looks_like_an_option(string job, string expected)
    {
        var run = RunBriefly("cancel", "--cluster", "127.0.0.1:4053", "--", job);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal([expected], run.ErrorLines);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void Bootstrap_without_a_management_port_and_postgresql_without_a_connection_string_are_refused()
    {
        var bootstrap = new ContractivitySettings { Persistence = { Provider = PersistenceProviders.Memory } };
        bootstrap.Bootstrap.Discovery = DiscoveryMethods.Config;
        Assert.Equal("Contractivity:Management:Port (ACTORCONTRACTIVITY_Management__Port): expected a port for the "
            + "management endpoint, where Cluster Bootstrap's nodes ask each other, got '' (Bootstrap:Discovery is "
            + "config)", Assert.Throws<InputException>(() => NodeChecks.Check(bootstrap, null)).Message);

        var postgres = new ContractivitySettings { Persistence = { Provider = PersistenceProviders.PostgreSql } };
        Assert.Equal("Contractivity:Persistence:ConnectionString (ACTORCONTRACTIVITY_Persistence__ConnectionString): "
            + "expected a connection string, got '' (Persistence:Provider is postgresql)",
            Assert.Throws<InputException>(() => NodeChecks.Check(postgres, null)).Message);
    }
}
