namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// Akka.Management's HTTP endpoint: the contact point that Cluster Bootstrap probes on other nodes. It is bound only
/// when <see cref="BootstrapSettings.Discovery"/> is not <c>none</c>.
/// </summary>
public sealed class ManagementSettings
{
    /// <summary>The port of the management HTTP endpoint (the same on every node of a container platform).</summary>
    public int Port { get; set; } = 8558;
}

/// <summary>
/// How a node finds the cluster: static seed nodes (<see cref="NodeSettings.SeedNodes"/>, discovery <c>none</c>) or
/// Akka.Management's Cluster Bootstrap, which discovers the management endpoints of its peers (from a fixed list or
/// from the Kubernetes API), lets the node with the lowest address form the cluster once enough of them answer, and
/// has every other node join it.
/// </summary>
public sealed class BootstrapSettings
{
    /// <summary><c>none</c> (seed nodes), <c>config</c> (<see cref="ContactPoints"/>) or <c>kubernetes</c>.</summary>
    public string Discovery { get; set; } = DiscoveryMethods.None;

    /// <summary>The name looked up in discovery; for Kubernetes it fills <c>{0}</c> of <see cref="PodLabelSelector"/>.</summary>
    public string ServiceName { get; set; } = "actorcontractivity";

    /// <summary>Kubernetes: the name of the container port of the management endpoint.</summary>
    public string PortName { get; set; } = "management";

    /// <summary>Kubernetes: the label selector of the node pods (<c>{0}</c>: <see cref="ServiceName"/>).</summary>
    public string PodLabelSelector { get; set; } = "app={0}";

    /// <summary>Kubernetes: the pods' namespace (default: the namespace of the pod's service account).</summary>
    public string? PodNamespace { get; set; }

    /// <summary>
    /// Kubernetes: the API server (default: <c>https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT</c>, which
    /// Kubernetes sets in every pod).
    /// </summary>
    public string? KubernetesApiUrl { get; set; }

    /// <summary>Kubernetes: the directory of the pod's service account token, CA certificate and namespace.</summary>
    public string ServiceAccountDirectory { get; set; } = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Config discovery: the management endpoints of the nodes as HOST:PORT.</summary>
    public List<string> ContactPoints { get; set; } = [];

    /// <summary>Contact points that must answer before a new cluster is formed (the initial replica count is safe).</summary>
    public int RequiredContactPoints { get; set; } = 2;

    /// <summary>Seconds the discovered contact points must stay unchanged before a node decides to form a cluster.</summary>
    public double StableMarginSeconds { get; set; } = 5;

    /// <summary>
    /// May the node with the lowest address form a new cluster when no contact point is in one? Turn it off once a
    /// long-lived cluster exists, so that isolated nodes cannot start a second cluster.
    /// </summary>
    public bool NewClusterEnabled { get; set; } = true;

    /// <summary>True when the node joins through Cluster Bootstrap rather than seed nodes.</summary>
    public bool Enabled => !string.Equals(Discovery, DiscoveryMethods.None, StringComparison.OrdinalIgnoreCase);

    /// <summary>The label selector with the service name filled in.</summary>
    public string EffectivePodLabelSelector => PodLabelSelector.Replace("{0}", ServiceName, StringComparison.Ordinal);
}

/// <summary>The discovery methods of Cluster Bootstrap.</summary>
public static class DiscoveryMethods
{
    /// <summary>No bootstrap: seed nodes, or the node forms a cluster of its own.</summary>
    public const string None = "none";

    /// <summary>A fixed list of management endpoints (docker-compose, several processes on one machine).</summary>
    public const string Config = "config";

    /// <summary>The pods of the node StatefulSet, listed through the Kubernetes API (needs get/watch/list on pods).</summary>
    public const string Kubernetes = "kubernetes";
}

/// <summary>
/// The HTTP endpoint of the probes: <see cref="HealthEndpoints.LivePath"/> (the actor system runs) and
/// <see cref="HealthEndpoints.ReadyPath"/> (this node is an Up member of the cluster).
/// </summary>
public sealed class HealthSettings
{
    /// <summary>The port of the health endpoint; null serves none (0: any free port).</summary>
    public int? Port { get; set; }
}

/// <summary>What a node does between SIGTERM (or Ctrl+C) and its exit.</summary>
public sealed class ShutdownSettings
{
    /// <summary>
    /// Seconds a node may take to leave the cluster and stop: it leaves, hands the job manager to the next node,
    /// and its running tasks are issued again elsewhere. A container platform must wait longer than this before it
    /// kills the process (Kubernetes: <c>terminationGracePeriodSeconds</c>).
    /// </summary>
    public double LeaveTimeoutSeconds { get; set; } = 30;
}
