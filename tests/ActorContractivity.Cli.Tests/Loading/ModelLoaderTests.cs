using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>Choosing a reader by extension, single-matrix models, and path-level refusals.</summary>
public sealed class ModelLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_square_npy_loads_as_a_one_sample_one_layer_model_named_by_its_file()
    {
        var path = _dir.Write("A.npy", NpyBytes.Float64(new double[,] { { -1, 2 }, { 0, -3 } }));

        var loaded = ModelLoader.Load(path);

        var sample = Assert.Single(loaded.Model.Samples);
        Assert.Equal(0.0, sample.Time);
        Assert.Equal([[-1.0, 2.0], [0.0, -3.0]], Assert.Single(sample.Layers).ToRows());
        Assert.Equal([["A.npy"]], loaded.LayerNames);
    }

    [Fact]
    public void A_square_csv_loads_as_a_one_sample_one_layer_model_named_by_its_file()
    {
        var path = _dir.Write("weights.csv", "-1,2\n0,-3\n");

        var loaded = ModelLoader.Load(path);

        Assert.Equal([[-1.0, 2.0], [0.0, -3.0]], Assert.Single(Assert.Single(loaded.Model.Samples).Layers).ToRows());
        Assert.Equal([["weights.csv"]], loaded.LayerNames);
    }

    [Fact]
    public void A_json_path_is_read_as_a_manifest()
    {
        var path = _dir.Write("model.json", """
            { "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ [[1, 2], [3, 4]] ] } ] }
            """);
        Assert.Equal([[LoadedModel.InlineLayerName]], ModelLoader.Load(path).LayerNames);
    }

    [Theory]
    [InlineData("A.NPY")]
    [InlineData("A.Csv")]
    [InlineData("MODEL.JSON")]
    public void Extensions_are_matched_ignoring_case(string name)
    {
        var content = Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".npy" => NpyBytes.Float64(new double[,] { { 1 } }),
            ".csv" => "1\n"u8.ToArray(),
            _ => """{ "format": "actorcontractivity/v1", "samples": [ { "t": 0, "layers": [ [[1]] ] } ] }"""u8
                .ToArray(),
        };
        Assert.Equal(1, ModelLoader.Load(_dir.Write(name, content)).Model.Dimension);
    }

    [Fact]
    public void A_non_square_npy_model_is_refused_naming_the_file_and_the_shape()
    {
        var path = _dir.Write("A.npy", NpyBytes.Float64(new double[2, 3]));
        InputAssert.Throws(() => ModelLoader.Load(path),
            $"{path}: the matrix is 2×3; a model given as a single matrix must be square");
    }

    [Fact]
    public void A_non_square_csv_model_is_refused_naming_the_file_and_the_shape()
    {
        var path = _dir.Write("A.csv", "1\n2\n3\n");
        InputAssert.Throws(() => ModelLoader.Load(path),
            $"{path}: the matrix is 3×1; a model given as a single matrix must be square");
    }

    [Theory]
    [InlineData("model.txt")]
    [InlineData("model.npz")]
    [InlineData("model")]
    public void An_unknown_extension_is_refused(string name)
    {
        var path = _dir.Write(name, "1\n");
        InputAssert.Throws(() => ModelLoader.Load(path),
            $"{path}: unknown model format; expected .npy, .csv or a .json manifest");
    }

    [Theory]
    [InlineData("absent.npy")]
    [InlineData("absent.csv")]
    [InlineData("absent.json")]
    [InlineData("absent.txt")]
    public void A_missing_model_file_is_refused(string name)
    {
        var path = Path.Combine(_dir.Path, name);
        Assert.Equal($"{path}: file not found", InputAssert.Throws(() => ModelLoader.Load(path)));
    }

    [Fact]
    public void A_missing_relative_path_is_named_as_the_user_gave_it()
    {
        Assert.Equal("no/such/model.json: file not found",
            InputAssert.Throws(() => ModelLoader.Load("no/such/model.json")));
    }

    [Theory]
    [InlineData("case")]
    [InlineData("case.json")]
    public void A_directory_is_refused(string name)
    {
        var path = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(path);
        InputAssert.Throws(() => ModelLoader.Load(path),
            $"{path}: is a directory; expected a model file (.npy, .csv or a .json manifest)");
    }

    [Fact]
    public void Errors_inside_a_single_matrix_file_name_the_file_as_given()
    {
        var path = _dir.Write("A.csv", "1,2\n3,inf\n");
        InputAssert.Throws(() => ModelLoader.Load(path),
            $"{path}: row 2, column 2 (1-based): \"inf\": infinity is not allowed");
    }
}
