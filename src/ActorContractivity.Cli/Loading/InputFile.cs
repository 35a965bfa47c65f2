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

    /// <summary>Opens a file for reading.</summary>
    /// <param name="path">Where the file is.</param>
    /// <param name="label">How messages name the file.</param>
    internal static FileStream OpenRead(string path, string label)
    {
        RequireFile(path, label);
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

    /// <summary>Keeps a system message on one line.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
