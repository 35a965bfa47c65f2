using System.Text.Json;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Generate;

/// <summary>
/// Writes a model as a directory of <c>.npy</c> layers and a <c>model.json</c> manifest that <c>certify</c> reads.
/// Everything is written into a hidden directory beside the target and renamed into place at the end, so the target
/// holds either the whole model or what it held before, never a part.
/// </summary>
public static class LayerDirectory
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
    /// Checks that <paramref name="directory"/> may be written: its parent exists, and it is absent, empty, or
    /// <paramref name="force"/> allows replacing it.
    /// </summary>
    /// <exception cref="InputException">It may not.</exception>
    public static string Check(string directory, bool force)
    {
        var full = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(full);
        if (File.Exists(full))
        {
            throw new InputException($"--out: {directory} is a file; give a directory to write the model into");
        }

        if (parent is null || !Directory.Exists(parent))
        {
            throw new InputException($"--out: the directory {parent ?? directory} that would hold {directory} "
                + "does not exist");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !force)
        {
            throw new InputException($"--out: {directory} exists and is not empty (add --force to replace it)");
        }

        return full;
    }

    /// <summary>
    /// Writes the samples (their times and layers, generated one at a time while writing, so a model larger than
    /// memory can be written) and the manifest; <paramref name="name"/> gives each layer's file name from its sample
    /// and layer index. Shapes are not checked here: <c>certify</c> checks them when it reads the manifest.
    /// </summary>
    /// <exception cref="InputException">The directory cannot be written; nothing is left behind.</exception>
    public static Written Write(
        string directory, bool force, IEnumerable<(double Time, IEnumerable<Matrix> Layers)> samples,
        Func<int, int, string> name)
    {
        var target = Check(directory, force);
        var parent = Path.GetDirectoryName(target)!;
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(staging);
            var written = WriteInto(staging, samples, name);
            Replace(target, staging);
            return written with { Manifest = Path.Combine(target, ManifestName) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--out: cannot write {directory}: {e.Message.ReplaceLineEndings(" ")}");
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

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

    /// <summary>
    /// Renames the staging directory into place, moving what was there aside first and deleting it after.
    /// </summary>
    private static void Replace(string target, string staging)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }

        var old = staging + ".old";
        Directory.Move(target, old);
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Move(old, target);
            throw;
        }

        Directory.Delete(old, recursive: true);
    }
}
