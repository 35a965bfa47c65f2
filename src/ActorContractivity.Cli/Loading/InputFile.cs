namespace ActorContractivity.Cli.Loading;

/// <summary>Opens input files, turning the ways that fails into one-line <see cref="InputException"/>s.</summary>
internal static class InputFile
{
    /// <summary>Refuses a path that is missing or a directory.</summary>
    /// <param name="path">Where the file is.</param>
    /// <param name="label">How messages name the file.</param>
    internal static void RequireFile(string path, string label)
    {
        if (Directory.Exists(path))
        {
            throw new InputException($"{label}: is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new InputException($"{label}: file not found");
        }
    }

    /// <summary>
    /// Opens a file for reading. A file of length zero is not opened but read as empty: that is what an empty file
    /// holds, and a named pipe or a device (which also report length zero) would block or never end.
    /// </summary>
    /// <param name="path">Where the file is.</param>
    /// <param name="label">How messages name the file.</param>
    internal static Stream OpenRead(string path, string label)
    {
        RequireFile(path, label);
        if (new FileInfo(path).Length == 0)
        {
            return new MemoryStream([], writable: false);
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputException($"{label}: permission denied");
        }
        catch (IOException e)
        {
            // Also covers the file vanishing between the check above and the open.
            throw new InputException($"{label}: cannot be read: {OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// The path with every symbolic link along it resolved, so that two names of one file compare equal. A path
    /// that does not exist yet resolves as far as it exists.
    /// </summary>
    internal static string RealPath(string path) => RealPath(path, 0);

    private static string RealPath(string path, int depth)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            var next = Path.Combine(current, part);
            if (depth < 40 && new FileInfo(next).LinkTarget is { } target)
            {
                next = RealPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            }

            current = next;
        }

        return current;
    }

    /// <summary>Keeps a system message on one line.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
