using System.Globalization;
using System.Text.Json;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Reads a model manifest:
/// <code>
/// { "format": "actorcontractivity/v1",
///   "samples": [ { "t": 0.0, "layers": [ "A1.npy", "A2.csv" ] },
///                { "t": 0.1, "layers": [ "B1.npy", [[1, 2], [3, 4]] ] } ] }
/// </code>
/// A layer is a <c>.npy</c> or <c>.csv</c> file (relative to the manifest's directory, or absolute) or an inline
/// array of rows. Every sample needs a time, times increase strictly, and unknown fields are refused, because a
/// misspelt field silently ignored would certify a different model than the one the user meant.
/// </summary>
public static class ManifestReader
{
    /// <summary>The only value of the <c>format</c> field understood.</summary>
    public const string Format = "actorcontractivity/v1";

    private static readonly string[] TopLevelFields = ["format", "samples"];
    private static readonly string[] SampleFields = ["t", "layers"];

    /// <summary>Reads the manifest in <paramref name="path"/> and the layer files it names.</summary>
    /// <exception cref="InputException">The manifest, a layer file or the model it describes is invalid.</exception>
    public static LoadedModel Read(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(
                $"{path}: the top level must be an object with \"format\" and \"samples\", got {Kind(root)}");
        }

        var fields = Fields(root, path, " at the top level", TopLevelFields);
        CheckFormat(fields, path);
        if (!fields.TryGetValue("samples", out var samplesElement))
        {
            throw new InputException($"{path}: samples: missing; expected an array of samples");
        }

        if (samplesElement.ValueKind != JsonValueKind.Array)
        {
            throw new InputException($"{path}: samples: expected an array of samples, got {Kind(samplesElement)}");
        }

        if (samplesElement.GetArrayLength() == 0)
        {
            throw new InputException($"{path}: samples: is empty; a model needs at least one sample");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var samples = new List<Sample>();
        var names = new List<IReadOnlyList<string>>();
        var previousTime = double.NegativeInfinity;
        foreach (var sampleElement in samplesElement.EnumerateArray())
        {
            var i = samples.Count;
            if (sampleElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException(
                    $"{path}: samples[{i}]: expected an object with \"t\" and \"layers\", got {Kind(sampleElement)}");
            }

            var sampleFields = Fields(sampleElement, $"{path}: samples[{i}]", "", SampleFields);
            var time = ReadTime(sampleFields, path, i, previousTime);
            var (layers, layerNames) = ReadLayers(sampleFields, path, i, directory);
            try
            {
                samples.Add(new Sample(time, layers));
            }
            catch (ModelShapeException e)
            {
                throw new InputException($"{path}: {ShapeProblem(i, layers, layerNames, e.LayerIndex)}");
            }

            names.Add(layerNames);
            previousTime = time;
        }

        try
        {
            var layerFiles = names.SelectMany(n => n).Where(n => n != LoadedModel.InlineLayerName)
                .Select(n => Path.Combine(directory, n));
            return new LoadedModel(new NeuralOdeModel(samples), names)
            {
                Files = [Path.GetFullPath(path), .. layerFiles.Distinct()],
            };
        }
        catch (SampleDimensionException e)
        {
            var s = e.SampleIndex;
            throw new InputException($"{path}: samples[{s}]: acts on state dimension {samples[s].Dimension} but "
                + $"samples[0] acts on {samples[0].Dimension}; every sample needs the same state dimension");
        }
    }

    /// <summary>Strict JSON (no comments, no trailing commas), nested at most this deep.</summary>
    private static readonly JsonDocumentOptions Reading = new() { MaxDepth = 64 };

    private static JsonDocument Parse(string path)
    {
        using var stream = InputFile.OpenRead(path, path);
        if (stream.Length == 0)
        {
            throw new InputException($"{path}: the file is empty; expected a JSON manifest");
        }

        try
        {
            return JsonDocument.Parse(stream, Reading);
        }
        catch (JsonException e)
        {
            // The reader appends its own zero-based "LineNumber: … | BytePositionInLine: …"; say it for humans.
            var message = InputFile.OneLine(e.Message);
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            var reason = cut >= 0 ? message[..cut] : message;
            if (reason.Contains("maximum configured depth", StringComparison.Ordinal))
            {
                reason = $"values are nested deeper than {Reading.MaxDepth} levels";
            }

            // The reader's advice to change its options is meant for programmers, not for the manifest's author.
            reason = reason.Replace(" which is not supported in this mode. Change the reader options.", "",
                StringComparison.Ordinal).Replace(" Change the reader options.", "", StringComparison.Ordinal);
            var where = e.LineNumber is { } line ? $" at line {line + 1}, column {e.BytePositionInLine + 1}" : "";
            throw new InputException($"{path}: invalid JSON{where}: {reason}");
        }
    }

    private static void CheckFormat(Dictionary<string, JsonElement> fields, string path)
    {
        if (!fields.TryGetValue("format", out var format))
        {
            throw new InputException($"{path}: format: missing; expected \"{Format}\"");
        }

        if (format.ValueKind != JsonValueKind.String)
        {
            throw new InputException($"{path}: format: expected the string \"{Format}\", got {Kind(format)}");
        }

        if (format.GetString() != Format)
        {
            throw new InputException(
                $"{path}: format: {Describe.Quote(format.GetString()!)} is not supported; expected \"{Format}\"");
        }
    }

    private static double ReadTime(Dictionary<string, JsonElement> fields, string path, int i, double previousTime)
    {
        if (!fields.TryGetValue("t", out var t))
        {
            throw new InputException($"{path}: samples[{i}].t: missing; every sample needs a time");
        }

        if (t.ValueKind != JsonValueKind.Number)
        {
            throw new InputException($"{path}: samples[{i}].t: expected a number, got {Kind(t)}");
        }

        if (!t.TryGetDouble(out var time) || !double.IsFinite(time))
        {
            throw new InputException($"{path}: samples[{i}].t: {t.GetRawText()} is not a finite number");
        }

        if (time <= previousTime)
        {
            throw new InputException($"{path}: samples[{i}].t: {t.GetRawText()} is not greater than "
                + $"samples[{i - 1}].t ({previousTime.ToString(CultureInfo.InvariantCulture)}); "
                + "sample times must be strictly increasing");
        }

        return time;
    }

    private static (List<Matrix> Layers, List<string> Names) ReadLayers(
        Dictionary<string, JsonElement> fields, string path, int i, string directory)
    {
        var field = $"samples[{i}].layers";
        if (!fields.TryGetValue("layers", out var layersElement))
        {
            throw new InputException($"{path}: {field}: missing; every sample needs at least one layer");
        }

        if (layersElement.ValueKind != JsonValueKind.Array)
        {
            throw new InputException($"{path}: {field}: expected an array of layers, got {Kind(layersElement)}");
        }

        if (layersElement.GetArrayLength() == 0)
        {
            throw new InputException($"{path}: {field}: is empty; every sample needs at least one layer");
        }

        var layers = new List<Matrix>();
        var names = new List<string>();
        foreach (var layer in layersElement.EnumerateArray())
        {
            var layerField = $"{field}[{layers.Count}]";
            switch (layer.ValueKind)
            {
                case JsonValueKind.String:
                    var name = layer.GetString()!;
                    layers.Add(ReadLayerFile(name, directory, path, layerField));
                    names.Add(name);
                    break;
                case JsonValueKind.Array:
                    layers.Add(ReadInline(layer, path, layerField));
                    names.Add(LoadedModel.InlineLayerName);
                    break;
                default:
                    throw new InputException(
                        $"{path}: {layerField}: expected a file name or an array of rows, got {Kind(layer)}");
            }
        }

        return (layers, names);
    }

    private static Matrix ReadLayerFile(string name, string directory, string path, string layerField)
    {
        if (name.Trim().Length == 0)
        {
            throw new InputException($"{path}: {layerField}: the file name is empty");
        }

        var label = $"{path}: {layerField} ({Describe.Quote(name)})";
        var file = Path.Combine(directory, name);
        switch (Path.GetExtension(name).ToLowerInvariant())
        {
            case ".npy":
                return NpyReader.Read(file, label);
            case ".csv":
                return CsvMatrixReader.Read(file, label);
            default:
                InputFile.RequireFile(file, label);
                throw new InputException($"{label}: unknown matrix format; expected a .npy or .csv file");
        }
    }

    private static Matrix ReadInline(JsonElement rows, string path, string layerField)
    {
        var count = rows.GetArrayLength();
        if (count == 0)
        {
            throw new InputException($"{path}: {layerField}: the inline layer is empty; it needs at least one row");
        }

        var cols = -1;
        var values = new List<double>();
        var r = 0;
        foreach (var row in rows.EnumerateArray())
        {
            var rowField = $"{path}: {layerField}[{r}]";
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw new InputException($"{rowField}: expected a row (an array of numbers), got {Kind(row)}");
            }

            var length = row.GetArrayLength();
            if (length == 0)
            {
                throw new InputException($"{rowField}: the row is empty");
            }

            if (cols >= 0 && length != cols)
            {
                throw new InputException($"{rowField}: the row has {Describe.Values(length)} but {layerField}[0] "
                    + $"has {cols}; every row needs the same number of values");
            }

            cols = length;
            var c = 0;
            foreach (var entry in row.EnumerateArray())
            {
                values.Add(ReadInlineEntry(entry, $"{rowField}[{c}]"));
                c++;
            }

            r++;
        }

        return Matrix.FromRowMajor(count, cols, values.ToArray());
    }

    private static double ReadInlineEntry(JsonElement entry, string entryField)
    {
        switch (entry.ValueKind)
        {
            case JsonValueKind.Number:
                // System.Text.Json turns out-of-range literals such as 1e400 into infinity.
                if (!entry.TryGetDouble(out var value) || !double.IsFinite(value))
                {
                    throw new InputException($"{entryField}: {entry.GetRawText()} is not a finite number");
                }

                return value;
            case JsonValueKind.String:
                throw new InputException($"{entryField}: expected a number, got the string "
                    + $"{Describe.Quote(entry.GetString()!)}; weights must be finite JSON numbers");
            default:
                throw new InputException($"{entryField}: expected a number, got {Kind(entry)}");
        }
    }

    /// <summary>Explains a <see cref="ModelShapeException"/> in terms of the manifest's fields.</summary>
    private static string ShapeProblem(int i, List<Matrix> layers, List<string> names, int j)
    {
        string Layer(int k)
        {
            var name = names[k] == LoadedModel.InlineLayerName ? names[k] : Describe.Quote(names[k]);
            return $"samples[{i}].layers[{k}] ({name})";
        }

        string Shape(int k) => Describe.Shape(layers[k].Rows, layers[k].Cols);

        if (layers.Count == 1)
        {
            return $"{Layer(0)}: is {Shape(0)}; a sample with a single layer must be square";
        }

        if (j > 0 && layers[j].Cols != layers[j - 1].Rows)
        {
            return $"{Layer(j)}: is {Shape(j)} but {Layer(j - 1)} is {Shape(j - 1)}; its column count must equal "
                + $"the previous layer's row count ({layers[j - 1].Rows})";
        }

        var last = layers.Count - 1;
        return $"{Layer(last)}: is {Shape(last)} but {Layer(0)} is {Shape(0)}; the last layer's row count must "
            + $"equal the first layer's column count ({layers[0].Cols}) so the layers map the state to itself";
    }

    /// <summary>The fields of an object, refusing unknown and repeated names.</summary>
    private static Dictionary<string, JsonElement> Fields(
        JsonElement element, string prefix, string where, string[] allowed)
    {
        var fields = new Dictionary<string, JsonElement>();
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                var expected = string.Join(" and ", allowed.Select(a => $"\"{a}\""));
                throw new InputException($"{prefix}: unknown field {Describe.Quote(property.Name)}{where}; "
                    + $"the allowed fields are {expected}");
            }

            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new InputException($"{prefix}: the field \"{property.Name}\" appears more than once{where}");
            }
        }

        return fields;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };
}
