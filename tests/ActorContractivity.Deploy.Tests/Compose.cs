namespace ActorContractivity.Deploy.Tests;

/// <summary>deploy/docker-compose.yml, parsed (merge keys resolved).</summary>
public static class Compose
{
    /// <summary>The file.</summary>
    public static Yaml File() => Yaml.Load(Repository.File("deploy/docker-compose.yml")).Single();

    /// <summary>The services that run a node (the image's default command, no profile).</summary>
    public static IReadOnlyList<(string Name, Yaml Service)> Nodes() =>
        File()["services"].Keys.Select(name => (name, File()["services"][name]))
            .Where(s => s.Item2.Has("image") && !s.Item2.Has("profiles")
                && s.Item2["image"].Text.StartsWith(Manifests.Image + ":", StringComparison.Ordinal))
            .ToArray();

    /// <summary>The PostgreSQL service.</summary>
    public static Yaml Postgres() => File()["services"]["postgres"];
}
