namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>
/// Locates the repository and the test fixtures at test time. The fixtures are not copied to the output
/// directory, so the locator walks up from the test assembly to the directory holding the solution file.
/// </summary>
public static class TestPaths
{
    private const string SolutionFile = "ActorContractivity.sln";

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The directory holding <c>ActorContractivity.sln</c>.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary><c>tests/ActorContractivity.Cli.Tests/fixtures</c>.</summary>
    public static string Fixtures => Path.Combine(RepositoryRoot, "tests", "ActorContractivity.Cli.Tests", "fixtures");

    /// <summary>The folder of a known-answer case, e.g. <c>Case("one_layer_0")</c>.</summary>
    public static string Case(string name) => Path.Combine(Fixtures, "cases", name);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"no directory above {AppContext.BaseDirectory} contains {SolutionFile}");
    }
}
