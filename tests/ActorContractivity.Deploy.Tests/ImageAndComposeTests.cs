using System.Globalization;
using ActorContractivity.Cluster.Hosting;
using Npgsql;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// What can be checked of deploy/Dockerfile and deploy/docker-compose.yml without a container engine: the files the
/// image copies exist, its commands are ones the program accepts, its ports and variables are the program's, and the
/// compose topology's addresses, journal and grace period agree with the nodes' settings.
/// </summary>
public sealed class ImageAndComposeTests
{
    private static readonly ContractivitySettings Defaults = SettingsKeys.Defaults();

    [Fact]
    public void Every_path_the_image_copies_from_the_build_context_exists_and_is_not_ignored()
    {
        var ignored = File.ReadAllLines(Repository.File(".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimStart('*', '/').TrimEnd('/')).ToArray();
        var copies = Dockerfile.Load().All("COPY")
            .Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                Assert.True(File.Exists(Repository.File(source)) || Directory.Exists(Repository.File(source)),
                    $"COPY {source}: not in the repository");
                Assert.DoesNotContain(ignored,
                    i => source.TrimEnd('/') == i || source.StartsWith(i + "/", StringComparison.Ordinal));
            }
        }

        // The published project is the command line, restored from the project files copied before.
        var publish = Assert.Single(Dockerfile.Load().All("RUN"),
            r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        var project = publish.Split(' ')[2];
        Assert.True(File.Exists(Repository.File(project)), project);
        Assert.Contains("<AssemblyName>actorcontractivity</AssemblyName>", File.ReadAllText(Repository.File(project)));
    }

    [Fact]
    public void The_image_runs_the_node_command_as_a_non_root_user_and_stops_it_with_sigterm()
    {
        var image = Dockerfile.Load();
        var froms = image.All("FROM");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", froms[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", froms[^1]);
        Assert.Contains("<TargetFramework>net10.0</TargetFramework>",
            File.ReadAllText(Repository.File("Directory.Build.props")));

        var entrypoint = image.Exec("ENTRYPOINT");
        Assert.Equal(["dotnet", "/app/actorcontractivity.dll"], entrypoint);
        Assert.Contains(image.All("RUN"), r => r.EndsWith("-o /app", StringComparison.Ordinal));
        Assert.Equal(["node"], image.Exec("CMD"));
        Assert.True(Manifests.Accepts(image.Exec("CMD"), out var error), error);

        var healthcheck = image.Exec("HEALTHCHECK");
        Assert.Equal(entrypoint, healthcheck[..2]);
        Assert.Equal(["probe", "live"], healthcheck[2..]);
        Assert.True(Manifests.Accepts(healthcheck[2..], out error), error);

        var user = Assert.Single(image.FinalStage, l => l.Instruction == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0" });
        Assert.Equal("SIGTERM", Assert.Single(image.FinalStage, l => l.Instruction == "STOPSIGNAL").Arguments);
    }

    [Fact]
    public void The_image_exposes_the_ports_its_configuration_listens_on_and_sets_only_variables_the_program_reads()
    {
        var image = Dockerfile.Load();
        var environment = image.Environment();
        Assert.All(environment.Keys, name => Assert.True(SettingsKeys.IsRead(name), $"ENV {name}"));
        Assert.Equal("0.0.0.0", environment["ACTORCONTRACTIVITY_Node__Host"]);

        // The management endpoint is off by default (several nodes on one machine); the image turns it on.
        Assert.Null(Defaults.Management.Port);
        var management = int.Parse(environment["ACTORCONTRACTIVITY_Management__Port"], CultureInfo.InvariantCulture);
        var exposed = image.All("EXPOSE").SelectMany(e => e.Split(' '))
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture));
        Assert.Equal(new[] { Defaults.Node.Port, management }.Order(), exposed.Order());
    }

    [Fact]
    public void The_compose_nodes_bootstrap_from_each_other_and_journal_to_the_compose_postgresql()
    {
        var nodes = Compose.Nodes();
        Assert.Equal(3, nodes.Count);
        var image = Dockerfile.Load().Environment();
        var management = image["ACTORCONTRACTIVITY_Management__Port"];
        foreach (var (name, service) in nodes)
        {
            var build = service["build"];
            Assert.Equal("../deploy/Dockerfile", $"{build["context"].Text}/{build["dockerfile"].Text}");
            var environment = service["environment"].Strings;
            Assert.All(environment.Keys, key => Assert.True(SettingsKeys.IsRead(key), $"{name}: {key}"));
            Assert.Equal(name, service["hostname"].Text);
            Assert.Equal(name, environment["ACTORCONTRACTIVITY_Node__PublicHost"]);
            Assert.Equal(DiscoveryMethods.Config, environment["ACTORCONTRACTIVITY_Bootstrap__Discovery"]);

            // Every node is a contact point at its management port, and all must answer before a cluster forms.
            var contactPoints = environment.Where(e => e.Key.StartsWith("ACTORCONTRACTIVITY_Bootstrap__ContactPoints__",
                StringComparison.Ordinal)).Select(e => e.Value).Order();
            Assert.Equal(nodes.Select(n => $"{n.Name}:{management}").Order(), contactPoints);
            Assert.Equal(nodes.Count, int.Parse(environment["ACTORCONTRACTIVITY_Bootstrap__RequiredContactPoints"],
                CultureInfo.InvariantCulture));

            var connection =
                new NpgsqlConnectionStringBuilder(environment["ACTORCONTRACTIVITY_Persistence__ConnectionString"]);
            var postgres = Compose.Postgres()["environment"].Strings;
            Assert.Equal(PersistenceProviders.PostgreSql, environment["ACTORCONTRACTIVITY_Persistence__Provider"]);
            Assert.Equal(("postgres", 5432), (connection.Host, connection.Port));
            Assert.Equal((postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"]),
                (connection.Username, connection.Password, connection.Database));
            Assert.Equal("service_healthy", service["depends_on"]["postgres"]["condition"].Text);

            // The image's variables apply beneath the service's: its management port, its bind address.
            Assert.DoesNotContain(environment.Keys, image.ContainsKey);
            Assert.Equal("SIGTERM", service["stop_signal"].Text);
            var grace = int.Parse(service["stop_grace_period"].Text.TrimEnd('s'), CultureInfo.InvariantCulture);
            Assert.InRange(grace - Defaults.Shutdown.LeaveTimeoutSeconds, 5, 30);
        }
    }

    [Fact]
    public void The_compose_client_runs_a_command_the_program_accepts_on_the_cluster_network()
    {
        var client = Compose.File()["services"]["client"];
        var command = client["command"].Items.Select(c => c.Text).ToArray();
        Assert.True(Manifests.Accepts(command, out var error), error);
        var cluster = command[Array.IndexOf(command, "--cluster") + 1].Split(':');
        Assert.Contains(Compose.Nodes(), n => n.Name == cluster[0]);
        Assert.Equal(Defaults.Node.Port, int.Parse(cluster[1], CultureInfo.InvariantCulture));
        Assert.Equal(client["hostname"].Text, client["environment"].Strings["ACTORCONTRACTIVITY_Node__PublicHost"]);
    }
}
