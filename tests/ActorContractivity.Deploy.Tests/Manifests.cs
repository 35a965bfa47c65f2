using ActorContractivity.Cli;

namespace ActorContractivity.Deploy.Tests;

/// <summary>The Kubernetes manifests of k8s/, parsed, and helpers shared by the manifest tests.</summary>
public static class Manifests
{
    /// <summary>The directory of the kustomize base.</summary>
    public static string Directory { get; } = Repository.File("k8s");

    /// <summary>The image name the node containers use (rewritten by the kustomization's images entry).</summary>
    public const string Image = "actorcontractivity";

    /// <summary>Every document of every file the kustomization lists.</summary>
    public static IReadOnlyList<Yaml> Resources() =>
        Kustomization()["resources"].Items.SelectMany(r => Yaml.Load(Path.Combine(Directory, r.Text))).ToArray();

    /// <summary>k8s/kustomization.yaml.</summary>
    public static Yaml Kustomization() => Yaml.Load(Path.Combine(Directory, "kustomization.yaml")).Single();

    /// <summary>The one resource of a kind and name.</summary>
    public static Yaml Get(string kind, string name) =>
        Assert.Single(Resources(), r => r["kind"].Text == kind && r["metadata"]["name"].Text == name);

    /// <summary>The node StatefulSet.</summary>
    public static Yaml Nodes() => Get("StatefulSet", "actorcontractivity");

    /// <summary>The containers of a pod template that run the actorcontractivity image.</summary>
    public static IReadOnlyList<Yaml> NodeContainers(Yaml podSpec) =>
        podSpec["containers"].Items.Where(c => !c.Has("image") || c["image"].Text.Split(':')[0] == Image).ToArray();

    /// <summary>The environment of a container: name → literal value (null when it comes from a reference).</summary>
    public static IReadOnlyDictionary<string, string?> Environment(Yaml container) =>
        container.Has("env")
            ? container["env"].Items.ToDictionary(e => e["name"].Text, e => e.Has("value") ? e["value"].Text : null)
            : new Dictionary<string, string?>();

    /// <summary>The <c>valueFrom.secretKeyRef</c> of an environment variable: (secret, key).</summary>
    public static (string Secret, string Key) SecretReference(Yaml container, string variable)
    {
        var entry = Assert.Single(container["env"].Items, e => e["name"].Text == variable);
        var reference = entry["valueFrom"]["secretKeyRef"];
        return (reference["name"].Text, reference["key"].Text);
    }

    /// <summary>Does the command line accept these arguments (its parser, with --help so that nothing runs)?</summary>
    public static bool Accepts(IEnumerable<string> arguments, out string error)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = CliApplication.Run([.. arguments, "--help"], output, errors);
        error = errors.ToString();
        return code == CliApplication.Found;
    }

    /// <summary>A label selector <c>k=v,k2=v2</c> as a dictionary (equality terms only).</summary>
    public static IReadOnlyDictionary<string, string> Selector(string selector) =>
        selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(term => term.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    /// <summary>Are all the selector's labels among the labels?</summary>
    public static bool Selects(
        IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(term => labels.TryGetValue(term.Key, out var value) && value == term.Value);
}
