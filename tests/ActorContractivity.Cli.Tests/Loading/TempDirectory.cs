using System.Text;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>A fresh directory for the files one test writes, deleted when the test ends.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the directory under the system temp path.</summary>
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("actorcontractivity-tests-").FullName;
    }

    /// <summary>The full path of the directory.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a BOM; returns the full path.</summary>
    public string Write(string relativePath, string text) =>
        Write(relativePath, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/>, creating subdirectories, and returns the full path.</summary>
    public string Write(string relativePath, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Makes a named pipe (which reading would block on) and returns its full path.</summary>
    public string Fifo(string relativePath)
    {
        var path = System.IO.Path.Combine(Path, relativePath);
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"mkfifo {path} failed with exit code {mkfifo.ExitCode}");
        }

        return path;
    }

    /// <summary>Deletes the directory and everything in it.</summary>
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
