using System.Globalization;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Hosting;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// Cluster Bootstrap: a node without seed nodes discovers the management endpoints of the cluster's nodes (a fixed
/// list, or the pods of the StatefulSet through the Kubernetes API), asks each at <see cref="SeedNodesPath"/> for its
/// address and, if it is an Up member, the members it sees, and then
/// <list type="bullet">
/// <item>joins those members as seed nodes as soon as any node reports some;</item>
/// <item>forms a new cluster (joins itself) when no node is in one, at least
/// <see cref="BootstrapSettings.RequiredContactPoints"/> answered, every discovered node answered, discovery did not
/// change for the stable margin, and this node has the lowest address among them;</item>
/// <item>else waits and asks again every second.</item>
/// </list>
/// This is the decision of Akka.Management's Cluster Bootstrap (lowest address forms, everyone else joins). The nodes
/// compare the Akka addresses the endpoints report, never hostnames, so a node reached by IP and advertising a name
/// still recognises itself.
/// </summary>
/// <remarks>
/// Akka.Management 1.5.73 cannot serve here: its HTTP server (Akka.Http.Shim) is built against Ceen.Httpd 0.9.9, the
/// package source serves only 0.9.10, and binding fails with a MissingMethodException. So the contact point is a route
/// of the node's own management endpoint (Kestrel) and the decision is made here.
/// </remarks>
public static class ClusterBootstrap
{
    /// <summary>The contact point's path on the management endpoint.</summary>
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A contact point's answer: its own address and the Up members it sees (none unless it is Up).</summary>
    public sealed record SeedNodes(string SelfNode, string[] Members);

    /// <summary>What a node does after one round of discovery and probing.</summary>
    public abstract record Decision
    {
        /// <summary>Join the cluster these members form.</summary>
        public sealed record Join(IReadOnlyList<Address> Members) : Decision;

        /// <summary>Form a new cluster: join itself.</summary>
        public sealed record FormNew : Decision;

        /// <summary>Ask again later.</summary>
        public sealed record Wait(string Reason) : Decision;
    }

    /// <summary>
    /// Bootstrap for a node whose discovery method is not <c>none</c>: a join-decision loop started with the actor
    /// system, and a stop after 60 s for a node that decided whom to join but cannot get in (so that its supervisor
    /// restarts it).
    /// </summary>
    public static AkkaConfigurationBuilder WithContractivityBootstrap(
        this AkkaConfigurationBuilder builder, ContractivitySettings settings)
    {
        var bootstrap = settings.Bootstrap;
        if (!bootstrap.Enabled)
        {
            return builder;
        }

        var kubernetes = Is(bootstrap.Discovery, DiscoveryMethods.Kubernetes);
        var config = Is(bootstrap.Discovery, DiscoveryMethods.Config);
        if (!kubernetes && !config)
        {
            throw new ArgumentException(
                $"Bootstrap:Discovery: expected none, config or kubernetes, got '{bootstrap.Discovery}'");
        }

        if (settings.Node.SeedNodes.Count > 0)
        {
            throw new ArgumentException(
                "Bootstrap:Discovery: Cluster Bootstrap decides whom a node joins; give no Node:SeedNodes with it");
        }

        if (settings.Management.Port is null)
        {
            throw new ArgumentException(
                "Management:Port: Cluster Bootstrap needs the management endpoint, where the nodes ask each other");
        }

        var fixedList = config ? bootstrap.ContactPoints.Select(ParseContactPoint).ToArray() : [];
        if (config && fixedList.Length == 0)
        {
            throw new ArgumentException(
                "Bootstrap:ContactPoints: config discovery needs the management endpoints HOST:PORT of the nodes");
        }

        builder.AddHocon("akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = 60s", HoconAddMode.Prepend);
        return builder.AddStartup((system, _) =>
        {
            var kubernetesDiscovery = kubernetes ? new KubernetesPodDiscovery(bootstrap) : null;
            Func<Task<IReadOnlyList<ContactPoint>>> discover = kubernetesDiscovery is null
                ? () => Task.FromResult<IReadOnlyList<ContactPoint>>(fixedList)
                : () => kubernetesDiscovery.LookupAsync(ProbeTimeout);
            Task.Run(() => FormOrJoinAsync(system, bootstrap, discover));
            system.RegisterOnTermination(() => kubernetesDiscovery?.Dispose());
        });
    }

    /// <summary>What this node's contact point answers now.</summary>
    public static SeedNodes Describe(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var up = IsUp(cluster.SelfMember.Status)
            && state.Members.Any(m => m.UniqueAddress == cluster.SelfUniqueAddress);
        var members = up
            ? state.Members.Where(m => IsUp(m.Status) && !state.Unreachable.Contains(m))
                .Select(m => m.Address.ToString())
            : [];
        return new SeedNodes(cluster.SelfAddress.ToString(), members.ToArray());
    }

    /// <summary>The decision after one round (a pure function of what was discovered and answered).</summary>
    /// <param name="discovered">The contact points discovery returned.</param>
    /// <param name="answers">Each contact point's answer, null where it did not answer.</param>
    /// <param name="self">This node's address.</param>
    /// <param name="stable">Discovery returned the same contact points for the whole stable margin.</param>
    /// <param name="settings">The bootstrap settings.</param>
    public static Decision Decide(IReadOnlyCollection<ContactPoint> discovered,
        IReadOnlyDictionary<ContactPoint, SeedNodes?> answers, Address self, bool stable, BootstrapSettings settings)
    {
        var answered = answers.Values.OfType<SeedNodes>().ToArray();
        var members = answered.SelectMany(a => a.Members).Distinct().Select(Address.Parse)
            .Where(a => !a.Equals(self)).ToArray();
        if (members.Length > 0)
        {
            return new Decision.Join(members);
        }

        if (answered.Length < settings.RequiredContactPoints)
        {
            return new Decision.Wait(
                $"{answered.Length} of {discovered.Count} nodes answered, {settings.RequiredContactPoints} needed");
        }

        if (answered.Length < discovered.Count)
        {
            var silent = discovered.Count - answered.Length;
            return new Decision.Wait($"{silent} of {discovered.Count} nodes did not answer");
        }

        if (!stable)
        {
            return new Decision.Wait("the discovered nodes changed within the stable margin");
        }

        if (!settings.NewClusterEnabled)
        {
            return new Decision.Wait("no node is in a cluster and Bootstrap:NewClusterEnabled is off");
        }

        var lowest = answered.Select(a => Address.Parse(a.SelfNode)).Append(self)
            .Order(Member.AddressOrdering).First();
        return lowest.Equals(self) ? new Decision.FormNew() : new Decision.Wait($"{lowest} forms the cluster");
    }

    private static async Task FormOrJoinAsync(ActorSystem system, BootstrapSettings settings,
        Func<Task<IReadOnlyList<ContactPoint>>> discover)
    {
        var log = Logging.GetLogger(system, typeof(ClusterBootstrap));
        var cluster = Akka.Cluster.Cluster.Get(system);
        using var http = new HttpClient { Timeout = ProbeTimeout };
        var previous = "";
        var unchangedSince = DateTime.UtcNow;
        var lastReason = "";
        while (!system.WhenTerminated.IsCompleted)
        {
            try
            {
                var discovered = await discover().ConfigureAwait(false);
                var key = string.Join(',', discovered.Select(c => c.ToString()).Order());
                if (key != previous)
                {
                    log.Info("Bootstrap discovered {Count} nodes: {ContactPoints}", discovered.Count, key);
                    previous = key;
                    unchangedSince = DateTime.UtcNow;
                }

                var probes = discovered.Distinct()
                    .Select(async point => (Point: point, Answer: await ProbeAsync(http, point).ConfigureAwait(false)));
                var answers = (await Task.WhenAll(probes).ConfigureAwait(false))
                    .ToDictionary(p => p.Point, p => p.Answer);
                var stable = DateTime.UtcNow - unchangedSince >= TimeSpan.FromSeconds(settings.StableMarginSeconds);
                switch (Decide(discovered, answers, cluster.SelfAddress, stable, settings))
                {
                    case Decision.Join join:
                        log.Info("Bootstrap joins the cluster of {Members}", string.Join(", ", join.Members));
                        cluster.JoinSeedNodes(join.Members);
                        return;
                    case Decision.FormNew:
                        log.Info("Bootstrap forms a new cluster: no node is in one and {Self} is the lowest of {Count}",
                            cluster.SelfAddress, discovered.Count);
                        cluster.Join(cluster.SelfAddress);
                        return;
                    case Decision.Wait wait when wait.Reason != lastReason:
                        log.Info("Bootstrap waits: {Reason}", wait.Reason);
                        lastReason = wait.Reason;
                        break;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (e.Message != lastReason)
                {
                    log.Warning("Bootstrap round failed: {Message}", e.Message);
                    lastReason = e.Message;
                }
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    private static async Task<SeedNodes?> ProbeAsync(HttpClient http, ContactPoint contactPoint)
    {
        // An IPv6 address needs brackets in a URL.
        var host = contactPoint.Host.Contains(':', StringComparison.Ordinal)
            ? $"[{contactPoint.Host}]"
            : contactPoint.Host;
        try
        {
            return await http.GetFromJsonAsync<SeedNodes>($"http://{host}:{contactPoint.Port}{SeedNodesPath}")
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static ContactPoint ParseContactPoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            throw new ArgumentException($"Bootstrap:ContactPoints: expected HOST:PORT, got '{text}'");
        }

        return new ContactPoint(text[..colon], port);
    }

    private static bool IsUp(MemberStatus status) => status is MemberStatus.Up or MemberStatus.WeaklyUp;

    private static bool Is(string method, string name) =>
        string.Equals(method, name, StringComparison.OrdinalIgnoreCase);
}
