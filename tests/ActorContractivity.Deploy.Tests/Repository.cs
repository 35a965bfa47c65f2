namespace ActorContractivity.Deploy.Tests;

/// <summary>Paths in the repository the tests were built from.</summary>
public static class Repository
{
    /// <summary>The repository's root: the nearest directory above the test binaries with the solution file.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path relative to the root.</summary>
    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "ActorContractivity.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no ActorContractivity.sln above {AppContext.BaseDirectory}");
    }
}
