using System.Text.Json;
using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>JSON manifests: strict validation that names the JSON field, and layer errors prefixed by it.</summary>
public sealed class ManifestReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Manifest(string json) => _dir.Write("model.json", json);

    /// <summary>A manifest with the given samples array (JSON text) and the right format.</summary>
    private string ManifestWithSamples(string samples) =>
        Manifest($$"""{ "format": "actorcontractivity/v1", "samples": {{samples}} }""");

    private void WriteNpy(string name, double[,] m, bool fortranOrder = false) =>
        _dir.Write(name, NpyBytes.Float64(m, fortranOrder));

    [Fact]
    public void A_manifest_with_file_and_inline_layers_loads_every_sample_in_order()
    {
        WriteNpy("A1.npy", new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        _dir.Write("A2.csv", "1,0,0\n0,1,0\n");
        WriteNpy("B1.npy", new double[,] { { -1, 0 }, { 0, -1 } }, fortranOrder: true);
        var path = ManifestWithSamples("""
            [ { "t": 0.0, "layers": [ "A1.npy", "A2.csv" ] },
              { "t": 0.1, "layers": [ "B1.npy", [[1, 2], [3, 4.5e-1]] ] } ]
            """);

        var loaded = ManifestReader.Read(path);

        var model = loaded.Model;
        Assert.Equal(2, model.Dimension);
        Assert.Equal([0.0, 0.1], model.Samples.Select(s => s.Time));
        Assert.Equal([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], model.Samples[0].Layers[0].ToRows());
        Assert.Equal([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], model.Samples[0].Layers[1].ToRows());
        Assert.Equal([[-1.0, 0.0], [0.0, -1.0]], model.Samples[1].Layers[0].ToRows());
        Assert.Equal([[1.0, 2.0], [3.0, 0.45]], model.Samples[1].Layers[1].ToRows());
        Assert.Equal([["A1.npy", "A2.csv"], ["B1.npy", LoadedModel.InlineLayerName]], loaded.LayerNames);
    }

    [Fact]
    public void Layer_paths_are_relative_to_the_manifest_directory_not_the_working_directory()
    {
        _dir.Write("weights/A.csv", "-1,0\n0,-1\n");
        var manifest = _dir.Write("models/nested/model.json", """
            { "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ "../../weights/A.csv" ] } ] }
            """);

        var loaded = ManifestReader.Read(manifest);

        Assert.Equal([[-1.0, 0.0], [0.0, -1.0]], loaded.Model.Samples[0].Layers[0].ToRows());
        Assert.Equal("../../weights/A.csv", loaded.LayerNames[0][0]);
    }

    [Fact]
    public void An_absolute_layer_path_is_used_as_is()
    {
        var layer = _dir.Write("elsewhere/A.csv", "2\n");
        var quoted = JsonSerializer.Serialize(layer);
        var path = ManifestWithSamples($$"""[ { "t": 0, "layers": [ {{quoted}} ] } ]""");
        Assert.Equal(2.0, ManifestReader.Read(path).Model.Samples[0].Layers[0][0, 0]);
    }

    [Fact]
    public void A_missing_format_is_refused()
    {
        var path = Manifest("""{ "samples": [ { "t": 0, "layers": [ [[1]] ] } ] }""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: format: missing; expected \"actorcontractivity/v1\"");
    }

    [Theory]
    [InlineData("\"actorcontractivity/v2\"", "\"actorcontractivity/v2\" is not supported")]
    [InlineData("\"ActorContractivity/v1\"", "\"ActorContractivity/v1\" is not supported")]
    [InlineData("\"\"", "\"\" is not supported")]
    [InlineData("1", "expected the string \"actorcontractivity/v1\", got a number")]
    [InlineData("null", "expected the string \"actorcontractivity/v1\", got null")]
    public void A_wrong_format_is_refused_naming_the_value(string format, string problem)
    {
        var path = Manifest($$"""{ "format": {{format}}, "samples": [ { "t": 0, "layers": [ [[1]] ] } ] }""");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: format: {problem}");
    }

    [Fact]
    public void An_unknown_top_level_field_is_refused_naming_it()
    {
        var path = Manifest("""
            { "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ [[1]] ] } ], "bias": [] }
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: unknown field \"bias\" at the top level; the allowed fields are \"format\" and \"samples\"");
    }

    [Fact]
    public void An_unknown_field_in_a_sample_is_refused_naming_the_sample_and_field()
    {
        var path = ManifestWithSamples("""
            [ { "t": 0, "layers": [ [[1]] ] }, { "t": 1, "layers": [ [[1]] ], "biases": [ [0] ] } ]
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[1]: unknown field \"biases\"; the allowed fields are \"t\" and \"layers\"");
    }

    [Fact]
    public void A_misspelt_field_is_refused_rather_than_ignored()
    {
        var path = ManifestWithSamples("""[ { "time": 0, "layers": [ [[1]] ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: samples[0]: unknown field \"time\"");
    }

    [Fact]
    public void A_repeated_field_is_refused()
    {
        var path = ManifestWithSamples("""[ { "t": 0, "t": 1, "layers": [ [[1]] ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0]: the field \"t\" appears more than once");
    }

    [Theory]
    [InlineData("""{ "format": "actorcontractivity/v1" }""", "samples: missing; expected an array of samples")]
    [InlineData("""{ "format": "actorcontractivity/v1", "samples": {} }""",
        "samples: expected an array of samples, got an object")]
    [InlineData("""{ "format": "actorcontractivity/v1", "samples": [] }""",
        "samples: is empty; a model needs at least one sample")]
    [InlineData("""{ "format": "actorcontractivity/v1", "samples": [ "A.npy" ] }""",
        "samples[0]: expected an object with \"t\" and \"layers\", got a string")]
    [InlineData("""[ "A.npy" ]""", "the top level must be an object with \"format\" and \"samples\", got an array")]
    public void A_missing_or_malformed_samples_array_is_refused(string json, string problem)
    {
        var path = Manifest(json);
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: {problem}");
    }

    [Theory]
    [InlineData("""[ { "layers": [ [[1]] ] } ]""", "samples[0].t: missing; every sample needs a time")]
    [InlineData("""[ { "t": "0", "layers": [ [[1]] ] } ]""", "samples[0].t: expected a number, got a string")]
    [InlineData("""[ { "t": null, "layers": [ [[1]] ] } ]""", "samples[0].t: expected a number, got null")]
    [InlineData("""[ { "t": 1e400, "layers": [ [[1]] ] } ]""", "samples[0].t: 1e400 is not a finite number")]
    public void A_missing_or_non_numeric_time_is_refused(string samples, string problem)
    {
        var path = ManifestWithSamples(samples);
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: {problem}");
    }

    [Theory]
    [InlineData("0.5", "0.5", "samples[1].t: 0.5 is not greater than samples[0].t (0.5)")]
    [InlineData("0.5", "0.25", "samples[1].t: 0.25 is not greater than samples[0].t (0.5)")]
    public void Times_that_do_not_strictly_increase_are_refused(string t0, string t1, string problem)
    {
        var path = ManifestWithSamples($$"""
            [ { "t": {{t0}}, "layers": [ [[1]] ] }, { "t": {{t1}}, "layers": [ [[1]] ] } ]
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: {problem}; sample times must be strictly increasing");
    }

    [Fact]
    public void Negative_and_integer_times_are_accepted_when_increasing()
    {
        var path = ManifestWithSamples("""[ { "t": -2, "layers": [ [[1]] ] }, { "t": 3, "layers": [ [[1]] ] } ]""");
        Assert.Equal([-2.0, 3.0], ManifestReader.Read(path).Model.Samples.Select(s => s.Time));
    }

    [Theory]
    [InlineData("""[ { "t": 0 } ]""", "samples[0].layers: missing; every sample needs at least one layer")]
    [InlineData("""[ { "t": 0, "layers": [] } ]""",
        "samples[0].layers: is empty; every sample needs at least one layer")]
    [InlineData("""[ { "t": 0, "layers": "A.npy" } ]""",
        "samples[0].layers: expected an array of layers, got a string")]
    [InlineData("""[ { "t": 0, "layers": [ 1 ] } ]""",
        "samples[0].layers[0]: expected a file name or an array of rows, got a number")]
    [InlineData("""[ { "t": 0, "layers": [ [[1]], { "file": "A.npy" } ] } ]""",
        "samples[0].layers[1]: expected a file name or an array of rows, got an object")]
    [InlineData("""[ { "t": 0, "layers": [ null ] } ]""",
        "samples[0].layers[0]: expected a file name or an array of rows, got null")]
    [InlineData("""[ { "t": 0, "layers": [ " " ] } ]""", "samples[0].layers[0]: the file name is empty")]
    public void Missing_empty_or_wrongly_typed_layers_are_refused(string samples, string problem)
    {
        var path = ManifestWithSamples(samples);
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: {problem}");
    }

    [Fact]
    public void A_missing_layer_file_is_refused_naming_the_field_and_the_file()
    {
        WriteNpy("A1.npy", new double[,] { { 1 } });
        var path = ManifestWithSamples("""
            [ { "t": 0, "layers": [ "A1.npy" ] }, { "t": 0.1, "layers": [ "B1.npy" ] } ]
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[1].layers[0] (\"B1.npy\"): file not found");
    }

    [Fact]
    public void A_layer_file_with_an_unknown_extension_is_refused()
    {
        _dir.Write("A.txt", "1\n");
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ "A.txt" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[0] (\"A.txt\"): unknown matrix format; expected a .npy or .csv file");
    }

    [Fact]
    public void A_nan_in_a_layer_npy_is_refused_naming_the_field_file_row_and_column()
    {
        WriteNpy("s0_l0.npy", new double[,] { { 1, 2 }, { 3, 4 } });
        var bad = new double[2, 6];
        bad[1, 4] = double.NaN;
        WriteNpy("s0_l1.npy", bad);
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ "s0_l0.npy", "s0_l1.npy" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[1] (\"s0_l1.npy\"): row 2, column 5 (1-based): NaN is not allowed");
    }

    [Fact]
    public void A_non_number_in_a_layer_csv_is_refused_naming_the_field_file_row_and_column()
    {
        _dir.Write("w.csv", "1,2\n3,x\n");
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ "w.csv" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[0] (\"w.csv\"): row 2, column 2 (1-based): \"x\" is not a number");
    }

    [Fact]
    public void An_unsupported_dtype_in_a_layer_npy_is_refused_naming_the_field()
    {
        _dir.Write("i.npy", NpyBytes.File("<i4", false, "(1, 1)", new byte[4]));
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ "i.npy" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[0] (\"i.npy\"): dtype '<i4' is not supported");
    }

    [Fact]
    public void An_inline_ragged_layer_is_refused_naming_the_row()
    {
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ [[1, 2], [3, 4], [5]] ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: samples[0].layers[0][2]: the row has 1 value "
            + "but samples[0].layers[0][0] has 2; every row needs the same number of values");
    }

    [Theory]
    [InlineData("\"NaN\"", "expected a number, got the string \"NaN\"; weights must be finite JSON numbers")]
    [InlineData("\"Infinity\"", "expected a number, got the string \"Infinity\"")]
    [InlineData("\"1.5\"", "expected a number, got the string \"1.5\"")]
    [InlineData("true", "expected a number, got true")]
    [InlineData("null", "expected a number, got null")]
    [InlineData("[1]", "expected a number, got an array")]
    [InlineData("1e400", "1e400 is not a finite number")]
    [InlineData("-1E999", "-1E999 is not a finite number")]
    public void An_inline_entry_that_is_not_a_finite_number_is_refused_naming_its_json_path(
        string entry, string problem)
    {
        var path = ManifestWithSamples($$"""[ { "t": 0, "layers": [ [[1, 2], [3, {{entry}}]] ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: samples[0].layers[0][1][1]: {problem}");
    }

    [Theory]
    [InlineData("[]", "samples[0].layers[0]: the inline layer is empty; it needs at least one row")]
    [InlineData("[[]]", "samples[0].layers[0][0]: the row is empty")]
    [InlineData("[1, 2]", "samples[0].layers[0][0]: expected a row (an array of numbers), got a number")]
    [InlineData("[[1], \"2\"]", "samples[0].layers[0][1]: expected a row (an array of numbers), got a string")]
    public void An_inline_layer_that_is_not_an_array_of_rows_is_refused(string layer, string problem)
    {
        var path = ManifestWithSamples($$"""[ { "t": 0, "layers": [ {{layer}} ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: {problem}");
    }

    [Fact]
    public void Layers_whose_columns_do_not_match_the_previous_rows_are_refused_naming_both_layers()
    {
        WriteNpy("A1.npy", new double[3, 2]);
        WriteNpy("A2.npy", new double[2, 4]);
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ "A1.npy", "A2.npy" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[1] (\"A2.npy\"): is 2×4 but samples[0].layers[0] (\"A1.npy\") is 3×2; "
            + "its column count must equal the previous layer's row count (3)");
    }

    [Fact]
    public void A_last_layer_that_does_not_map_back_to_the_state_is_refused()
    {
        var path = ManifestWithSamples("""
            [ { "t": 0, "layers": [ [[1, 0], [0, 1], [1, 1]], [[1, 0, 0]] ] } ]
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[0].layers[1] (inline): is 1×3 but samples[0].layers[0] (inline) is 3×2; "
            + "the last layer's row count must equal the first layer's column count (2)");
    }

    [Fact]
    public void A_non_square_single_layer_sample_is_refused()
    {
        _dir.Write("r.csv", "1,2,3\n4,5,6\n");
        var path = ManifestWithSamples("""[ { "t": 0, "layers": [ [[1]] ] }, { "t": 1, "layers": [ "r.csv" ] } ]""");
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[1].layers[0] (\"r.csv\"): is 2×3; a sample with a single layer must be square");
    }

    [Fact]
    public void Samples_with_different_state_dimensions_are_refused()
    {
        var path = ManifestWithSamples("""
            [ { "t": 0, "layers": [ [[1, 0], [0, 1]] ] },
              { "t": 1, "layers": [ [[1, 0], [0, 1]] ] },
              { "t": 2, "layers": [ [[1, 0, 0], [0, 1, 0]], [[1, 0], [0, 1], [0, 0]] ] } ]
            """);
        InputAssert.Throws(() => ManifestReader.Read(path),
            $"{path}: samples[2]: acts on state dimension 3 but samples[0] acts on 2; "
            + "every sample needs the same state dimension");
    }

    [Fact]
    public void Samples_may_have_different_numbers_and_widths_of_layers_over_the_same_state()
    {
        var path = ManifestWithSamples("""
            [ { "t": 0, "layers": [ [[1, 0], [0, 1]] ] },
              { "t": 1, "layers": [ [[1, 0], [0, 1], [1, 1]], [[1, 0, 0], [0, 1, 0]] ] } ]
            """);
        var model = ManifestReader.Read(path).Model;
        Assert.Equal(2, model.Dimension);
        Assert.Equal([3, 2], model.Samples[1].Widths);
    }

    [Fact]
    public void Invalid_json_is_refused_with_its_1_based_line_number()
    {
        var path = Manifest("{\n  \"format\": \"actorcontractivity/v1\",\n  \"samples\" [ ]\n}\n");
        var message = InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: invalid JSON at line 3, column ");
        Assert.DoesNotContain("LineNumber", message);
        Assert.DoesNotContain("BytePositionInLine", message);
    }

    [Theory]
    [InlineData("{ \"format\": \"actorcontractivity/v1\", \"samples\": [], }")]
    [InlineData("{ // comment\n \"format\": \"actorcontractivity/v1\" }")]
    [InlineData("{ \"format\": 'actorcontractivity/v1' }")]
    [InlineData("{ \"format\": \"actorcontractivity/v1\"")]
    public void Json_extensions_and_unterminated_documents_are_refused_as_invalid_json(string json)
    {
        var path = Manifest(json);
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: invalid JSON at line ");
    }

    [Fact]
    public void An_empty_manifest_is_refused()
    {
        var path = Manifest("");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: the file is empty; expected a JSON manifest");
    }

    [Fact]
    public void A_missing_manifest_is_refused()
    {
        var path = Path.Combine(_dir.Path, "absent.json");
        InputAssert.Throws(() => ManifestReader.Read(path), $"{path}: file not found");
    }
}
