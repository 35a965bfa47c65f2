using System.Text.Json;
using System.Text.RegularExpressions;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cli.Mnist;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Generate;

/// <summary>
/// Writes a model as a directory of <c>.npy</c> layers and a <c>model.json</c> manifest that <c>certify</c> reads.
/// Everything is written into a hidden directory beside the target and renamed into place at the end, so the target
/// holds either the whole model or what it held before, never a part; <c>--force</c> replaces only a directory that
/// an earlier run wrote.
/// </summary>
public static partial class LayerDirectory
{
    /// <summary>The manifest's name inside the directory.</summary>
    public const string ManifestName = "model.json";

    /// <summary>What was written.</summary>
    /// <param name="Manifest">The manifest's full path.</param>
    /// <param name="Samples">Samples written.</param>
    /// <param name="Layers">Layer files written.</param>
    /// <param name="Bytes">Bytes of weight data.</param>
    public sealed record Written(string Manifest, int Samples, int Layers, long Bytes);

    /// <summary>
    /// Checks that <paramref name="directory"/> may be written: the path is not empty, its parent exists, it neither is
    /// nor contains the current directory, and it is absent, empty, or (with <paramref name="force"/>) an earlier
    /// output of <c>generate</c>, which is all that <paramref name="force"/> replaces.
    /// </summary>
    /// <exception cref="InputException">It may not.</exception>
    public static string Check(string directory, bool force)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new InputException("--out: the path is empty");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var parent = Path.GetDirectoryName(full);
        if (File.Exists(full))
        {
            throw new InputException($"--out: {directory} is a file; give a directory to write the model into");
        }

        if (parent is null)
        {
            throw new InputException($"--out: {directory} is the root directory, which generate does not replace; "
                + "give a new directory");
        }

        if (!Directory.Exists(parent))
        {
            throw new InputException($"--out: the directory {parent} that would hold {directory} does not exist");
        }

        if (Directory.Exists(full) && Contains(full, Directory.GetCurrentDirectory()))
        {
            throw new InputException($"--out: {directory} is or contains the current directory, which generate "
                + "does not replace; give a new directory");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!force)
            {
                throw new InputException($"--out: {directory} exists and is not empty (add --force to replace it)");
            }

            if (NotGenerated(full) is { } reason)
            {
                throw new InputException($"--out: {directory} is not the output of an earlier generate ({reason}); "
                    + "--force replaces only such a directory");
            }
        }

        return full;
    }

    /// <summary>
    /// Writes the samples (their times and layers, generated one at a time while writing, so a model larger than
    /// memory can be written) and the manifest; <paramref name="name"/> gives each layer's file name from its sample
    /// and layer index. Shapes are not checked here: <c>certify</c> checks them when it reads the manifest. The
    /// model is staged in a hidden directory beside the target named after this process, so a later run removes
    /// what an interrupted one left (<see cref="StagedDirectory"/>).
    /// </summary>
    /// <exception cref="InputException">The directory cannot be written; nothing is left behind.</exception>
    public static Written Write(
        string directory, bool force, IEnumerable<(double Time, IEnumerable<Matrix> Layers)> samples,
        Func<int, int, string> name)
    {
        var target = Check(directory, force);
        using var staged = StagedDirectory.Create(Path.GetDirectoryName(target)!, Path.GetFileName(target));
        try
        {
            var written = WriteInto(staged.Staging, samples, name);
            staged.Commit();
            return written with { Manifest = Path.Combine(target, ManifestName) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--out: cannot write {directory}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or inside it, links resolved.</summary>
    private static bool Contains(string directory, string path)
    {
        var (outer, inner) = (Resolved(directory, 0), Resolved(path, 0));
        return inner == outer || inner.StartsWith(outer + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>A full path with every symbolic link along it replaced by what it points to.</summary>
    private static string Resolved(string path, int depth)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var root = Path.GetPathRoot(full)!;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var resolved = root;
        for (var k = 0; k < parts.Length; k++)
        {
            var next = Path.Combine(resolved, parts[k]);
            if (depth < 40 && new FileInfo(next).LinkTarget is { } link)
            {
                var rest = Path.Combine([Path.GetFullPath(link, resolved), .. parts[(k + 1)..]]);
                return Resolved(rest, depth + 1);
            }

            resolved = next;
        }

        return resolved;
    }

    /// <summary>
    /// Why <paramref name="directory"/> is not what <c>generate</c> writes, or null when it is: a <c>model.json</c>
    /// of the format <c>generate</c> writes, whose layers are files with the names <c>generate</c> gives, and nothing
    /// else.
    /// </summary>
    private static string? NotGenerated(string directory)
    {
        var manifest = Path.Combine(directory, ManifestName);
        if (!File.Exists(manifest))
        {
            return $"it has no {ManifestName}";
        }

        var expected = new HashSet<string>(StringComparer.Ordinal) { ManifestName };
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(manifest));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.EnumerateObject().Select(p => p.Name).Order().SequenceEqual(["format", "samples"])
                || root.GetProperty("format").ValueKind != JsonValueKind.String
                || root.GetProperty("format").GetString() != ManifestReader.Format
                || root.GetProperty("samples").ValueKind != JsonValueKind.Array)
            {
                return $"its {ManifestName} was not written by generate";
            }

            foreach (var sample in root.GetProperty("samples").EnumerateArray())
            {
                if (sample.ValueKind != JsonValueKind.Object
                    || !sample.EnumerateObject().Select(p => p.Name).Order().SequenceEqual(["layers", "t"])
                    || sample.GetProperty("layers").ValueKind != JsonValueKind.Array)
                {
                    return $"its {ManifestName} was not written by generate";
                }

                foreach (var layer in sample.GetProperty("layers").EnumerateArray())
                {
                    if (layer.ValueKind != JsonValueKind.String || !LayerFileName().IsMatch(layer.GetString()!))
                    {
                        return $"its {ManifestName} was not written by generate";
                    }

                    expected.Add(layer.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            return $"its {ManifestName} is not JSON";
        }

        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (!expected.Contains(entry.Name) || entry is not FileInfo || entry.LinkTarget is not null)
            {
                return $"it holds {entry.Name}, which generate did not write";
            }
        }

        return null;
    }

    /// <summary>The names <c>generate</c> gives layer files: <c>blockNN-A1.npy</c>, <c>layerNN.npy</c>.</summary>
    [GeneratedRegex(@"^(block[0-9]+-A[0-9]+|layer[0-9]+)\.npy$")]
    private static partial Regex LayerFileName();

    private static Written WriteInto(
        string staging, IEnumerable<(double Time, IEnumerable<Matrix> Layers)> samples, Func<int, int, string> name)
    {
        var manifest = new MemoryStream();
        var (count, layers, bytes) = (0, 0, 0L);
        using (var json = new Utf8JsonWriter(manifest, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", ManifestReader.Format);
            json.WriteStartArray("samples");
            foreach (var (time, sampleLayers) in samples)
            {
                json.WriteStartObject();
                json.WriteNumber("t", time);
                json.WriteStartArray("layers");
                var j = 0;
                foreach (var layer in sampleLayers)
                {
                    var file = name(count, j++);
                    using (var stream = File.Create(Path.Combine(staging, file)))
                    {
                        NpyWriter.Write(stream, layer.RowMajorValues, layer.Rows, layer.Cols);
                    }

                    json.WriteStringValue(file);
                    bytes += 8L * layer.Rows * layer.Cols;
                    layers++;
                }

                json.WriteEndArray();
                json.WriteEndObject();
                count++;
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        File.WriteAllBytes(Path.Combine(staging, ManifestName), manifest.ToArray());
        return new Written(ManifestName, count, layers, bytes);
    }
}
