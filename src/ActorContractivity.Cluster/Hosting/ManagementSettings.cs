namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// The node's HTTP management endpoint (<see cref="ManagementEndpoint"/>): the liveness and readiness probes and
/// Cluster Bootstrap's contact point.
/// </summary>
public sealed class ManagementSettings
{
    /// <summary>The port of the endpoint; null serves none (0: any free port). The image sets 8558.</summary>
    public int? Port { get; set; }
}

/// <summary>
/// How a node finds the cluster: static seed nodes (<see cref="NodeSettings.SeedNodes"/>, discovery <c>none</c>) or
/// Cluster Bootstrap (<see cref="ClusterBootstrap"/>): discover the management endpoints of the nodes (a fixed list,
/// or the pods the Kubernetes API lists), ask each whom it is and whether it is in a cluster, join that cluster, or —
/// when none is and every discovered node answered, unchanged for the stable margin — let the node with the lowest
/// address form it.
/// </summary>
public sealed class BootstrapSettings
{
    /// <summary><c>none</c> (seed nodes), <c>config</c> (<see cref="ContactPoints"/>) or <c>kubernetes</c>.</summary>
    public string Discovery { get; set; } = DiscoveryMethods.None;

    /// <summary>The cluster's name; on Kubernetes it fills <c>{0}</c> of <see cref="PodLabelSelector"/>.</summary>
    public string ServiceName { get; set; } = "actorcontractivity";

    /// <summary>Kubernetes: the name of the pods' container port of the management endpoint.</summary>
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

    /// <summary>Nodes that must answer before a new cluster is formed (the initial replica count is safe).</summary>
    public int RequiredContactPoints { get; set; } = 2;

    /// <summary>Seconds the discovered nodes must stay unchanged before the lowest one forms a new cluster.</summary>
    public double StableMarginSeconds { get; set; } = 5;

    /// <summary>
    /// May the lowest node form a new cluster when no node is in one? Turn it off once a long-lived cluster exists,
    /// so that nodes cut off from it cannot start a second one.
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

    /// <summary>The running pods of the node StatefulSet, listed through the Kubernetes API.</summary>
    public const string Kubernetes = "kubernetes";
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
