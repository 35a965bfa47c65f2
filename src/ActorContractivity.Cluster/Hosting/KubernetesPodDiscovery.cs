using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>A node's management endpoint as discovery found it.</summary>
public sealed record ContactPoint(string Host, int Port)
{
    /// <inheritdoc />
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// Cluster Bootstrap's discovery on Kubernetes: lists the running pods that match a label selector in the pod's
/// namespace (<c>GET /api/v1/namespaces/{namespace}/pods</c>, with the service account's token, trusting the service
/// account's CA) and returns each pod's IP with its container port of the configured name. The service account
/// needs get, watch and list on pods (k8s/rbac.yaml).
/// </summary>
/// <remarks>
/// Akka.Discovery.KubernetesApi 1.5.73 is built against KubernetesClient 17, which the package source here does not
/// serve; with the KubernetesClient 19 it resolves to, every lookup fails with a MissingMethodException. This class
/// replaces it with one HTTP request per lookup and no client library.
/// </remarks>
public sealed class KubernetesPodDiscovery : IDisposable
{
    private readonly Uri? _api;
    private readonly string _serviceAccount;
    private readonly string? _namespace;
    private readonly string _labelSelector;
    private readonly string _portName;
    private readonly HttpClient _client;

    /// <summary>A discovery with the node's bootstrap settings.</summary>
    public KubernetesPodDiscovery(BootstrapSettings settings)
    {
        _serviceAccount = settings.ServiceAccountDirectory;
        _namespace = NullIfEmpty(settings.PodNamespace);
        _labelSelector = settings.EffectivePodLabelSelector;
        _portName = settings.PortName;
        _api = ApiUrl(NullIfEmpty(settings.KubernetesApiUrl));
        var handler = new SocketsHttpHandler();
        var ca = Path.Combine(_serviceAccount, "ca.crt");
        if (File.Exists(ca))
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                TrustedBy(authority, certificate, errors);
        }

        _client = new HttpClient(handler);
    }

    /// <summary>The management endpoints of the running node pods.</summary>
    public async Task<IReadOnlyList<ContactPoint>> LookupAsync(TimeSpan timeout)
    {
        if (_api is null)
        {
            throw new InvalidOperationException(
                "Kubernetes discovery: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set and "
                + "Bootstrap:KubernetesApiUrl is empty (is the node running in a pod?)");
        }

        var space = _namespace ?? ReadServiceAccountFile("namespace") ?? "default";
        var uri = new Uri(_api, $"api/v1/namespaces/{Uri.EscapeDataString(space)}/pods"
            + $"?labelSelector={Uri.EscapeDataString(_labelSelector)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (ReadServiceAccountFile("token") is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var cancel = new CancellationTokenSource(timeout);
        using var response = await _client.SendAsync(request, cancel.Token).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancel.Token).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new InvalidOperationException(
                $"Kubernetes discovery: listing pods in '{space}' is forbidden; the pod's service account needs get, "
                + "watch and list on pods (k8s/rbac.yaml)");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"Kubernetes discovery: {uri} answered {(int)response.StatusCode}: {body.ReplaceLineEndings(" ")}");
        }

        return Targets(body, _portName);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The running pods of a pod list (JSON) that have an IP and are not being deleted, each with its container port
    /// named <paramref name="portName"/> (pods without one are left out).
    /// </summary>
    public static IReadOnlyList<ContactPoint> Targets(string podListJson, string portName)
    {
        using var list = JsonDocument.Parse(podListJson);
        var targets = new List<ContactPoint>();
        if (!list.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return targets;
        }

        foreach (var pod in items.EnumerateArray())
        {
            var deleting = pod.TryGetProperty("metadata", out var metadata)
                && metadata.TryGetProperty("deletionTimestamp", out var deletion)
                && deletion.ValueKind != JsonValueKind.Null;
            var status = pod.GetProperty("status");
            var phase = status.TryGetProperty("phase", out var p) ? p.GetString() : null;
            var ip = status.TryGetProperty("podIP", out var i) ? i.GetString() : null;
            if (!deleting && phase == "Running" && !string.IsNullOrWhiteSpace(ip)
                && ContainerPort(pod, portName) is { } port)
            {
                targets.Add(new ContactPoint(ip, port));
            }
        }

        return targets;
    }

    private static int? ContainerPort(JsonElement pod, string name)
    {
        if (!pod.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("containers", out var containers))
        {
            return null;
        }

        foreach (var container in containers.EnumerateArray())
        {
            if (!container.TryGetProperty("ports", out var ports))
            {
                continue;
            }

            foreach (var port in ports.EnumerateArray())
            {
                if (port.TryGetProperty("name", out var n) && n.GetString() == name)
                {
                    return port.GetProperty("containerPort").GetInt32();
                }
            }
        }

        return null;
    }

    private static Uri? ApiUrl(string? configured)
    {
        if (configured is not null)
        {
            return new Uri(configured.EndsWith('/') ? configured : configured + "/");
        }

        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(port))
        {
            return null;
        }

        // An IPv6 service address needs brackets in a URL.
        return new Uri($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/");
    }

    /// <summary>The API server's certificate must chain to the service account's CA (and nothing else).</summary>
    private static bool TrustedBy(X509Certificate2 authority, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is X509Certificate2 certificate)
        {
            return chain.Build(certificate);
        }

        using var loaded = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(loaded);
    }

    private string? ReadServiceAccountFile(string name)
    {
        var path = Path.Combine(_serviceAccount, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

}
