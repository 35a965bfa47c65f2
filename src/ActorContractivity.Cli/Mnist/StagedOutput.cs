using System.Diagnostics;
using System.Runtime.InteropServices;
using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Mnist;

/// <summary>Writes files so that a reader never sees a half-written one, nor half of a set of them.</summary>
internal static class OutputFile
{
    /// <summary>Writes one file through a temporary file beside it.</summary>
    public static void Write(string path, byte[] bytes) => WriteAll([(path, bytes)]);

    /// <summary>
    /// Writes every file or none: each goes to a temporary file beside its target first, and only when all of them
    /// are written are they renamed over their targets.
    /// </summary>
    /// <exception cref="InputException">A file cannot be written; no target has changed.</exception>
    public static void WriteAll(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var targets = files.Select(file => Path.GetFullPath(file.Path)).ToArray();
        var temporaries = targets.Select(target => Path.Combine(Path.GetDirectoryName(target)!,
            $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp")).ToArray();
        try
        {
            for (var k = 0; k < files.Count; k++)
            {
                Written(files[k].Path, () => File.WriteAllBytes(temporaries[k], files[k].Bytes));
            }

            // Limitation: the renames follow one another; a crash between two of them leaves new files beside old.
            for (var k = 0; k < files.Count; k++)
            {
                Written(files[k].Path, () => File.Move(temporaries[k], targets[k], overwrite: true));
            }
        }
        finally
        {
            foreach (var temporary in temporaries)
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Refuses an output file that is a directory, before anything is computed for it.</summary>
    public static void RequireWritable(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException($"--out: '{path}' is a directory; it is written as a file (move it away)");
        }
    }

    private static void Written(string path, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot be written: {InputFile.OneLine(e.Message)}");
        }
    }
}

/// <summary>
/// A model directory OUT/NAME written beside its target, in OUT/.NAME.partial-PID, and swapped in whole once it is
/// complete. A run that fails or is interrupted (even by SIGKILL) leaves the previous model as it was and no directory
/// that a later step reads; the next run removes what an interrupted one left.
/// </summary>
internal sealed class StagedDirectory : IDisposable
{
    private const string Partial = ".partial-";
    private const string Previous = ".previous-";

    private readonly string _outDirectory;
    private readonly bool _createdOut;
    private bool _committed;

    private StagedDirectory(string outDirectory, string name, bool createdOut)
    {
        _outDirectory = outDirectory;
        _createdOut = createdOut;
        Target = Path.Combine(outDirectory, name);
        Staging = Path.Combine(outDirectory, $".{name}{Partial}{Environment.ProcessId}");
    }

    /// <summary>Where the model goes: OUT/NAME.</summary>
    public string Target { get; }

    /// <summary>The staging directory the model is written into.</summary>
    public string Staging { get; }

    /// <summary>Refuses an experiment directory that is a file, and a file where the model directory goes.</summary>
    public static void Check(string outDirectory, string name)
    {
        if (File.Exists(outDirectory))
        {
            throw new InputException($"--out: '{outDirectory}' is a file, not a directory");
        }

        var target = Path.Combine(outDirectory, name);
        if (File.Exists(target))
        {
            throw new InputException($"--out: '{target}' is a file; the {name} model is written there as a "
                + "directory (move the file away)");
        }
    }

    /// <summary>Checks the output, removes what interrupted runs left and creates the staging directory.</summary>
    public static StagedDirectory Create(string outDirectory, string name)
    {
        Check(outDirectory, name);
        try
        {
            var createdOut = !Directory.Exists(outDirectory);
            Directory.CreateDirectory(outDirectory);
            var staged = new StagedDirectory(outDirectory, name, createdOut);
            foreach (var left in Directory.GetDirectories(outDirectory, $".{name}{Partial}*"))
            {
                if (!IsRunning(left[(left.LastIndexOf(Partial, StringComparison.Ordinal) + Partial.Length)..]))
                {
                    Directory.Delete(left, recursive: true);
                }
            }

            Directory.CreateDirectory(staged.Staging);
            return staged;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--out: cannot write in '{outDirectory}': {InputFile.OneLine(e.Message)}");
        }
    }

    /// <summary>Puts the staged model in place of the previous one, which is then deleted.</summary>
    public void Commit()
    {
        if (!Directory.Exists(Target))
        {
            Directory.Move(Staging, Target);
        }
        else if (!Exchange(Staging, Target))
        {
            // Limitation: without renameat2's exchange (other systems, some file systems) the swap is two renames;
            // a kill between them leaves OUT/NAME missing and the previous model in OUT/.NAME.previous-PID.
            var previous = Path.Combine(_outDirectory,
                $".{Path.GetFileName(Target)}{Previous}{Environment.ProcessId}");
            Directory.Move(Target, previous);
            Directory.Move(Staging, Target);
            Directory.Delete(previous, recursive: true);
        }

        _committed = true;
    }

    /// <summary>Deletes the staging directory: the unfinished model, or after an exchange the previous one.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Staging))
        {
            Directory.Delete(Staging, recursive: true);
        }

        if (!_committed && _createdOut && !Directory.EnumerateFileSystemEntries(_outDirectory).Any())
        {
            Directory.Delete(_outDirectory);
        }
    }

    private static bool IsRunning(string processId)
    {
        if (!int.TryParse(processId, out var id) || id == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Swaps two directories in one step (renameat2 with RENAME_EXCHANGE); false where unsupported.</summary>
    private static bool Exchange(string first, string second)
    {
        const int currentDirectory = -100;
        const uint exchange = 2;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return RenameAt2(currentDirectory, first, currentDirectory, second, exchange) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(
        int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);
}
