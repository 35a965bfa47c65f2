namespace ActorContractivity.NeuralOde.Tests;

/// <summary>Locates the committed fixtures by walking up from the test assembly to the solution directory.</summary>
public static class Fixtures
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ActorContractivity.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "ActorContractivity.NeuralOde.Tests", "fixtures");
            }
        }

        throw new InvalidOperationException($"no directory above {AppContext.BaseDirectory} holds the solution");
    });

    /// <summary>The gzip-compressed IDX fixture: 600 digits.</summary>
    public static string Idx => Path.Combine(Root.Value, "idx");

    /// <summary>The npm-layout fixture: 2 digits per class.</summary>
    public static string Npm => Path.Combine(Root.Value, "npm");
}

/// <summary>A fresh directory for the files one test writes, deleted when the test ends.</summary>
public sealed class Scratch : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("actorcontractivity-neuralode-").FullName;

    /// <summary>Writes bytes, creating subdirectories; returns the full path.</summary>
    public string Write(string relativePath, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
