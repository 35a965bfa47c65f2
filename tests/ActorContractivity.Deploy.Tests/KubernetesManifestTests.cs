using System.Globalization;
using ActorContractivity.Cluster.Hosting;
using Npgsql;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// The kustomize base in k8s/ (and its TLS component) agrees with itself and with the program: parsed with YamlDotNet,
/// every environment variable of a node container is one the settings classes read, probes and discovery point at
/// what a node serves, selectors select the pods they mean to.
/// </summary>
public sealed class KubernetesManifestTests
{
    [Fact]
    public void The_kustomization_lists_every_manifest_and_every_resource_is_in_its_namespace()
    {
        var kustomization = Manifests.Kustomization();
        var listed = kustomization["resources"].Items.Select(r => r.Text).Order().ToArray();
        var files = Directory.GetFiles(Manifests.Directory, "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order().ToArray();
        Assert.Equal(files, listed);

        var space = kustomization["namespace"].Text;
        foreach (var resource in Manifests.Resources())
        {
            Assert.False(string.IsNullOrWhiteSpace(resource["apiVersion"].Text), $"{resource}: no apiVersion");
            var metadata = resource["metadata"];
            var own = resource["kind"].Text == "Namespace" ? metadata["name"] : metadata["namespace"];
            Assert.Equal(space, own.Text);
        }

        Assert.Single(Manifests.Resources(), r => r["kind"].Text == "Namespace");
        Assert.Contains(kustomization["images"].Items, i => i["name"].Text == Manifests.Image);
    }

    [Fact]
    public void The_tls_component_patches_the_node_statefulset_with_files_it_lists()
    {
        var directory = Path.Combine(Manifests.Directory, "components", "tls");
        var component = Yaml.Load(Path.Combine(directory, "kustomization.yaml")).Single();
        Assert.Equal("Component", component["kind"].Text);
        var patch = Assert.Single(component["patches"].Items);
        Assert.Equal("StatefulSet", patch["target"]["kind"].Text);
        Assert.Equal(Manifests.Nodes()["metadata"]["name"].Text, patch["target"]["name"].Text);
        var patched = Yaml.Load(Path.Combine(directory, patch["path"].Text)).Single();
        Assert.Equal(Directory.GetFiles(directory, "*.yaml").Select(Path.GetFileName).Order(),
            new[] { "kustomization.yaml", patch["path"].Text }.Order());

        var pod = patched["spec"]["template"]["spec"];
        var container = Assert.Single(pod["containers"].Items);
        Assert.Equal(NodeContainer()["name"].Text, container["name"].Text);
        var environment = Manifests.Environment(container);
        Assert.All(environment.Keys, name => Assert.True(SettingsKeys.IsRead(name), $"TLS patch sets {name}"));

        // The certificate file lies in the mounted Secret, and the password and thumbprint come from the same one.
        var mount = Assert.Single(container["volumeMounts"].Items);
        var volume = Assert.Single(pod["volumes"].Items, v => v["name"].Text == mount["name"].Text);
        var secret = volume["secret"]["secretName"].Text;
        Assert.StartsWith(mount["mountPath"].Text + "/", environment["ACTORCONTRACTIVITY_Tls__CertificatePath"]);
        foreach (var variable in new[] { "Tls__CertificatePassword", "Tls__AllowedThumbprints__0" })
        {
            Assert.Equal(secret, Manifests.SecretReference(container, "ACTORCONTRACTIVITY_" + variable).Secret);
        }
    }

    [Fact]
    public void Every_environment_variable_of_a_node_container_is_one_the_program_reads()
    {
        var names = Manifests.Environment(NodeContainer()).Keys.ToArray();
        Assert.NotEmpty(names);
        var unread = names.Where(n => !SettingsKeys.IsRead(n)).ToArray();
        Assert.True(unread.Length == 0,
            $"not read by the program: {string.Join(", ", unread)}; "
            + $"it reads {string.Join(", ", SettingsKeys.Described)}");
    }

    [Fact]
    public void The_node_container_runs_the_node_command_as_a_non_root_user_with_requests()
    {
        var pod = Manifests.Nodes()["spec"]["template"]["spec"];
        var container = NodeContainer();
        var args = container["args"].Items.Select(a => a.Text).ToArray();
        Assert.Equal("node", args[0]);
        Assert.True(Manifests.Accepts(args, out var error), error);
        Assert.Equal("true", pod["securityContext"]["runAsNonRoot"].Text);
        Assert.NotEqual(0, pod["securityContext"]["runAsUser"].Int);

        var requests = container["resources"]["requests"];
        Assert.True(requests.Has("memory") && container["resources"]["limits"].Has("memory"),
            "memory request and limit");
        var cores = int.Parse(requests["cpu"].Text, CultureInfo.InvariantCulture);
        var workers = int.Parse(Setting(container, "Workers__Count"), CultureInfo.InvariantCulture);
        Assert.InRange(workers, 1, cores);
    }

    [Fact]
    public void Probes_ask_the_management_endpoint_on_the_port_the_node_serves_it_on()
    {
        var container = NodeContainer();
        Assert.Equal(int.Parse(Setting(container, "Management__Port"), CultureInfo.InvariantCulture),
            Port(container, "management"));

        foreach (var (probe, path) in new[]
                 {
                     ("startupProbe", ManagementEndpoint.LivePath), ("livenessProbe", ManagementEndpoint.LivePath),
                     ("readinessProbe", ManagementEndpoint.ReadyPath),
                 })
        {
            var get = container[probe]["httpGet"];
            Assert.Equal(path, get["path"].Text);
            Assert.Equal("management", get["port"].Text);
        }

        // Liveness must not kill a node that is still joining: it asks only whether the actor system runs, and the
        // startup probe gives the runtime a minute before liveness counts.
        var startup = container["startupProbe"];
        Assert.True(startup["periodSeconds"].Int * startup["failureThreshold"].Int >= 60, "startup allowance");
        Assert.Equal(int.Parse(Setting(container, "Node__Port"), CultureInfo.InvariantCulture),
            Port(container, "remoting"));
    }

    [Fact]
    public void Labels_and_selectors_agree()
    {
        foreach (var set in Manifests.Resources().Where(r => r["kind"].Text == "StatefulSet"))
        {
            var labels = set["spec"]["template"]["metadata"]["labels"].Strings;
            Assert.True(Manifests.Selects(set["spec"]["selector"]["matchLabels"].Strings, labels), $"{set}: selector");
            var service = Manifests.Get("Service", set["spec"]["serviceName"].Text);
            Assert.True(Manifests.Selects(service["spec"]["selector"].Strings, labels), $"{service}: selector");
            var containerPorts = set["spec"]["template"]["spec"]["containers"].Items
                .SelectMany(c => c["ports"].Items).Select(p => p["name"].Text).ToHashSet();
            Assert.All(service["spec"]["ports"].Items, p => Assert.Contains(p["targetPort"].Text, containerPorts));
        }

        var nodeLabels = Manifests.Nodes()["spec"]["template"]["metadata"]["labels"].Strings;
        var budget = Manifests.Get("PodDisruptionBudget", "actorcontractivity");
        Assert.True(Manifests.Selects(budget["spec"]["selector"]["matchLabels"].Strings, nodeLabels), "PDB selector");
        Assert.Equal(1, budget["spec"]["maxUnavailable"].Int);

        var headless = Manifests.Get("Service", Manifests.Nodes()["spec"]["serviceName"].Text);
        Assert.Equal("None", headless["spec"]["clusterIP"].Text);
        Assert.Equal("true", headless["spec"]["publishNotReadyAddresses"].Text);
    }

    [Fact]
    public void Discovery_lists_exactly_the_node_pods_through_a_service_account_allowed_to()
    {
        var container = NodeContainer();
        Assert.Equal(DiscoveryMethods.Kubernetes, Setting(container, "Bootstrap__Discovery"));

        // The bootstrap service name is the headless Service's, and its label selector selects the node pods only.
        var bootstrap = new BootstrapSettings
        {
            ServiceName = Setting(container, "Bootstrap__ServiceName"),
            PodLabelSelector = Setting(container, "Bootstrap__PodLabelSelector"),
        };
        var nodes = Manifests.Nodes();
        Assert.Equal(nodes["spec"]["serviceName"].Text, bootstrap.ServiceName);
        var selector = Manifests.Selector(bootstrap.EffectivePodLabelSelector);
        foreach (var set in Manifests.Resources().Where(r => r["kind"].Text == "StatefulSet"))
        {
            var selected = Manifests.Selects(selector, set["spec"]["template"]["metadata"]["labels"].Strings);
            Assert.True(selected == (set == nodes || set["metadata"]["name"].Text == nodes["metadata"]["name"].Text),
                $"{set}: the discovery selector {bootstrap.EffectivePodLabelSelector}");
        }

        // The port discovery returns for each pod is the container port of that name, also named so in the Service.
        var portName = Setting(container, "Bootstrap__PortName");
        Port(container, portName);
        Assert.Contains(Manifests.Get("Service", bootstrap.ServiceName)["spec"]["ports"].Items,
            p => p["name"].Text == portName);
        Assert.InRange(int.Parse(Setting(container, "Bootstrap__RequiredContactPoints"), CultureInfo.InvariantCulture),
            2, nodes["spec"]["replicas"].Int);
        Assert.Equal("Parallel", nodes["spec"]["podManagementPolicy"].Text);

        // The pods' service account may get, watch and list pods in the namespace.
        var account = nodes["spec"]["template"]["spec"]["serviceAccountName"].Text;
        Manifests.Get("ServiceAccount", account);
        var binding = Assert.Single(Manifests.Resources(), r => r["kind"].Text == "RoleBinding"
            && r["subjects"].Items.Any(s => s["kind"].Text == "ServiceAccount" && s["name"].Text == account));
        Assert.Equal("Role", binding["roleRef"]["kind"].Text);
        var role = Manifests.Get("Role", binding["roleRef"]["name"].Text);
        Assert.Contains(role["rules"].Items, rule =>
            rule["apiGroups"].Items.Any(g => g.Text == "")
            && rule["resources"].Items.Any(r => r.Text == "pods")
            && new[] { "get", "watch", "list" }.All(v => rule["verbs"].Items.Any(x => x.Text == v)));

        // What discovery sees of a pod is its IP; remoting advertises the same address.
        var publicHost = Assert.Single(container["env"].Items,
            e => e["name"].Text == "ACTORCONTRACTIVITY_Node__PublicHost");
        Assert.Equal("status.podIP", publicHost["valueFrom"]["fieldRef"]["fieldPath"].Text);
    }

    [Fact]
    public void The_termination_grace_period_is_longer_than_the_leave_timeout()
    {
        var grace = Manifests.Nodes()["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].Int;
        var leave = double.Parse(Setting(NodeContainer(), "Shutdown__LeaveTimeoutSeconds"),
            CultureInfo.InvariantCulture);
        Assert.InRange(grace - leave, 5, 30);
    }

    [Fact]
    public void The_journal_is_the_postgresql_of_the_manifests_with_the_secret_password()
    {
        var container = NodeContainer();
        Assert.Equal(PersistenceProviders.PostgreSql, Setting(container, "Persistence__Provider"));
        var (secretName, key) =
            Manifests.SecretReference(container, "ACTORCONTRACTIVITY_Persistence__ConnectionString");
        var secret = Manifests.Get("Secret", secretName)["stringData"];
        var connection = new NpgsqlConnectionStringBuilder(secret[key].Text);

        var database = Manifests.Get("StatefulSet", "actorcontractivity-postgres");
        var postgres = Assert.Single(database["spec"]["template"]["spec"]["containers"].Items);
        var service = Manifests.Get("Service", database["spec"]["serviceName"].Text);
        Assert.Equal(service["metadata"]["name"].Text, connection.Host);
        Assert.Equal(Assert.Single(service["spec"]["ports"].Items)["port"].Int, connection.Port);
        var environment = Manifests.Environment(postgres);
        Assert.Equal(environment["POSTGRES_USER"], connection.Username);
        Assert.Equal(environment["POSTGRES_DB"], connection.Database);
        var password = Manifests.SecretReference(postgres, "POSTGRES_PASSWORD");
        Assert.Equal(secretName, password.Secret);
        Assert.Equal(secret[password.Key].Text, connection.Password);
    }

    private static Yaml NodeContainer() =>
        Assert.Single(Manifests.NodeContainers(Manifests.Nodes()["spec"]["template"]["spec"]));

    /// <summary>A setting's literal value in the container's environment (the manifests spell them out).</summary>
    private static string Setting(Yaml container, string key)
    {
        var environment = Manifests.Environment(container);
        var name = ContractivitySettings.EnvironmentPrefix + key;
        Assert.True(environment.TryGetValue(name, out var value) && value is not null,
            $"{container}: no literal {name}");
        return value!;
    }

    private static int Port(Yaml container, string name) =>
        Assert.Single(container["ports"].Items, p => p["name"].Text == name)["containerPort"].Int;
}
