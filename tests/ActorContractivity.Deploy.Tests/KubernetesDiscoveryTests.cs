using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ActorContractivity.Cluster.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// Kubernetes discovery against a stand-in API server on 127.0.0.1 (HTTPS with a certificate of its own CA): the
/// request carries the service account's token, asks for the namespace's pods with the label selector the manifests
/// give the nodes, and the answer becomes the running pods' IPs with their management container port. The pods it
/// serves are the StatefulSet's pod template (labels and ports), so the manifests and the discovery meet here.
/// </summary>
public sealed class KubernetesDiscoveryTests : IAsyncLifetime
{
    private const string Token = "service-account-token";
    private const string Namespace = "actorcontractivity";

    private readonly string _account = Directory.CreateTempSubdirectory("contractivity-serviceaccount-").FullName;
    private readonly List<string> _requests = [];
    private WebApplication? _api;
    private string _url = "";
    private int _status = 200;

    [Fact]
    public async Task Discovery_lists_the_running_node_pods_with_their_management_port()
    {
        using var discovery = new KubernetesPodDiscovery(Settings());
        var found = await discovery.LookupAsync(TimeSpan.FromSeconds(10));

        var port = Assert.Single(NodeTemplate()["spec"]["containers"].Items.Single()["ports"].Items,
            p => p["name"].Text == "management")["containerPort"].Int;
        Assert.Equal([new ContactPoint("10.1.0.1", port), new ContactPoint("10.1.0.2", port)],
            found.OrderBy(c => c.Host));
        var request = Assert.Single(_requests);
        var selector = Uri.EscapeDataString("app=actorcontractivity");
        Assert.Equal($"/api/v1/namespaces/{Namespace}/pods?labelSelector={selector} Bearer {Token}", request);
    }

    [Fact]
    public async Task A_forbidden_answer_names_the_missing_permission()
    {
        _status = 403;
        using var discovery = new KubernetesPodDiscovery(Settings());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => discovery.LookupAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("get, watch and list on pods", error.Message);
    }

    [Fact]
    public async Task An_api_server_whose_certificate_is_not_from_the_service_accounts_ca_is_refused()
    {
        using var other = SelfSigned("someone else");
        await File.WriteAllTextAsync(Path.Combine(_account, "ca.crt"), other.ExportCertificatePem());
        using var discovery = new KubernetesPodDiscovery(Settings());
        await Assert.ThrowsAsync<HttpRequestException>(() => discovery.LookupAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(_requests);
    }

    public async Task InitializeAsync()
    {
        using var certificate = SelfSigned("kubernetes");
        await File.WriteAllTextAsync(Path.Combine(_account, "ca.crt"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_account, "token"), Token + "\n");
        await File.WriteAllTextAsync(Path.Combine(_account, "namespace"), Namespace);

        var builder = WebApplication.CreateSlimBuilder();
        var serving = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(serving)));
        _api = builder.Build();
        _api.MapGet("/api/v1/namespaces/{space}/pods", (HttpContext context, string space) =>
        {
            var request = context.Request;
            _requests.Add($"{request.Path}{request.QueryString} {request.Headers.Authorization}");
            return _status == 200
                ? Results.Text(PodList(space, request.Query["labelSelector"].ToString()), "application/json")
                : Results.StatusCode(_status);
        });
        await _api.StartAsync();
        _url = _api.Urls.Single();
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        Directory.Delete(_account, recursive: true);
    }

    private BootstrapSettings Settings()
    {
        var container = Assert.Single(Manifests.NodeContainers(NodeTemplate()["spec"]));
        var environment = Manifests.Environment(container);
        return new BootstrapSettings
        {
            Discovery = environment["ACTORCONTRACTIVITY_Bootstrap__Discovery"]!,
            ServiceName = environment["ACTORCONTRACTIVITY_Bootstrap__ServiceName"]!,
            PodLabelSelector = environment["ACTORCONTRACTIVITY_Bootstrap__PodLabelSelector"]!,
            PortName = environment["ACTORCONTRACTIVITY_Bootstrap__PortName"]!,
            KubernetesApiUrl = _url,
            ServiceAccountDirectory = _account,
        };
    }

    private static Yaml NodeTemplate() => Manifests.Nodes()["spec"]["template"];

    /// <summary>
    /// The namespace's pods that match the selector: two running node pods, one still pending, one being deleted
    /// (all from the StatefulSet's template), and the PostgreSQL pod.
    /// </summary>
    private static string PodList(string space, string selector)
    {
        var template = NodeTemplate();
        var nodeLabels = template["metadata"]["labels"].Strings;
        var ports = template["spec"]["containers"].Items.Single()["ports"].Items
            .Select(p => new { name = p["name"].Text, containerPort = p["containerPort"].Int }).ToArray();
        (IReadOnlyDictionary<string, string> Labels, object Json) Pod(string name,
            IReadOnlyDictionary<string, string> labels, string phase, string ip, bool deleting) => (labels, new
        {
            metadata = new
            {
                name, @namespace = space, labels, deletionTimestamp = deleting ? "2026-01-01T00:00:00Z" : null,
            },
            spec = new { containers = new[] { new { name = "node", ports } } },
            status = new { phase, podIP = ip },
        });

        var pods = new[]
        {
            Pod("actorcontractivity-0", nodeLabels, "Running", "10.1.0.1", false),
            Pod("actorcontractivity-1", nodeLabels, "Running", "10.1.0.2", false),
            Pod("actorcontractivity-2", nodeLabels, "Pending", "", false),
            Pod("actorcontractivity-3", nodeLabels, "Running", "10.1.0.4", true),
            Pod("actorcontractivity-postgres-0", Manifests.Get("StatefulSet", "actorcontractivity-postgres")["spec"]
                ["template"]["metadata"]["labels"].Strings, "Running", "10.1.0.9", false),
        };
        var wanted = Manifests.Selector(selector);
        var selected = pods.Where(p => Manifests.Selects(wanted, p.Labels)).Select(p => p.Json);
        return JsonSerializer.Serialize(new { kind = "PodList", apiVersion = "v1", items = selected });
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
