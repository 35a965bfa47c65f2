using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Cluster;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// Two nodes on loopback with remoting over TLS and mutual authentication (a self-signed cluster certificate,
/// pinned by its thumbprint) form a cluster and run a job whose data crosses over in chunks; a node presenting
/// another certificate cannot join, even though it trusts theirs.
/// </summary>
public sealed class TlsSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-tls-").FullName;
    private readonly List<TestNode> _nodes = [];

    [Fact]
    public void Nodes_with_the_cluster_certificate_form_a_cluster_over_tls_and_a_node_with_another_cannot_join()
    {
        var cluster = Certificate("cluster");
        var stranger = Certificate("stranger");
        var seedPort = FreePort();
        var coordinator = Start(cluster, cluster, seedPort, ClusterRoles.Coordinator, seed: null);
        var worker = Start(cluster, cluster, 0, ClusterRoles.Worker, seed: seedPort);
        WaitFor(() => UpMembers(coordinator) == 2, "the worker node to join over TLS");
        Assert.StartsWith("akka.ssl.tcp://", Akka.Cluster.Cluster.Get(worker.System).SelfAddress.ToString(),
            StringComparison.Ordinal);

        // The coordinator node has no workers: every task, and the 1.4 MB of data in two chunks, cross over TLS.
        var model = TestModels.TimeSampled(2, 300, seed: 6);
        var job = new JobSettings(new IntervalQuestion(Norm: Core.Norms.LogNormKind.Infinity),
            new Core.Inner.InnerOptions(), new CertifyOptions(CertifyMode.Off));
        var answer = Assert.IsType<JobCompleted>(coordinator.Run(model, job)).Answer;
        ClusterJobSpecs.AssertSame(IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify), answer);

        // A node that trusts the cluster's certificate but presents another one stays outside: the cluster's nodes
        // check the certificate of the node that connects to them as well (mutual authentication).
        var outsider = Start(stranger, cluster, 0, ClusterRoles.Worker, seed: seedPort);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(8))
        {
            Assert.Equal(2, UpMembers(coordinator));
            Assert.Equal(0, UpMembers(outsider));
            Thread.Sleep(200);
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private TestNode Start(Pfx own, Pfx trusted, int port, string role, int? seed)
    {
        var settings = ContractivityNode.InProcess(workers: 2);
        settings.Node.Port = port;
        settings.Node.Roles = [role];
        settings.Node.SeedNodes = seed is { } p ? [$"127.0.0.1:{p}"] : [];
        settings.Tls = new TlsSettings
        {
            CertificatePath = own.Path,
            CertificatePassword = own.Password,
            // The worker pins it as openssl prints fingerprints: in pairs with colons (any case is accepted).
            AllowedThumbprints = [role == ClusterRoles.Worker
                ? string.Join(':', trusted.Thumbprint.Chunk(2).Select(c => new string(c))).ToLowerInvariant()
                : trusted.Thumbprint],
        };
        var node = new TestNode(settings);
        _nodes.Add(node);
        return node;
    }

    private static int UpMembers(TestNode node) =>
        Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up);

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary>A loopback port free at the moment (for a seed node).</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// A self-signed certificate for 127.0.0.1 with its private key, in a password-protected .pfx file.
    /// </summary>
    private Pfx Certificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=contractivity-{name}", key, HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30));
        var password = $"{name}-password";
        var path = System.IO.Path.Combine(_directory, $"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return new Pfx(path, password, certificate.Thumbprint);
    }

    private sealed record Pfx(string Path, string Password, string Thumbprint);
}
