using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>The hand-made models in <c>fixtures/loading</c> (see its README).</summary>
public sealed class LoadingFixtureTests
{
    private static string Fixture(string relativePath) => Path.Combine(TestPaths.Fixtures, "loading", relativePath);

    [Fact]
    public void The_mixed_manifest_composes_csv_npy_and_inline_layers_from_a_subdirectory()
    {
        var loaded = ModelLoader.Load(Fixture("mixed/model.json"));

        Assert.Equal(3, loaded.Model.Dimension);
        Assert.Equal([0.0, 0.5], loaded.Model.Samples.Select(s => s.Time));
        Assert.Equal([["weights/first.csv", "weights/second.npy", "inline"], ["inline"]], loaded.LayerNames);
        var layers = loaded.Model.Samples[0].Layers;
        Assert.Equal([[0.5, -1.0, 2.0], [3.0, 0.4, -0.25]], layers[0].ToRows());
        Assert.Equal([[1.0, -2.0], [0.5, 0.25], [3.0, 0.0], [-1.5, 2.0]], layers[1].ToRows());
        Assert.Equal([[1.0, 0.0, -1.0, 0.5], [0.0, 2.0, 0.0, 0.0], [0.25, 0.0, 0.0, -3.0]], layers[2].ToRows());
        Assert.Equal([[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]],
            loaded.Model.Samples[1].Layers[0].ToRows());
    }

    [Theory]
    [InlineData("not_square.csv", "the matrix is 2×3; a model given as a single matrix must be square")]
    [InlineData("nan.csv", "row 2, column 2 (1-based): \"nan\": NaN is not allowed")]
    [InlineData("ragged.csv", "row 3 has 2 values but row 1 has 3")]
    [InlineData("infinite.npy", "row 2, column 1 (1-based): infinity is not allowed")]
    [InlineData("missing_layer.json", "samples[0].layers[0] (\"absent.npy\"): file not found")]
    [InlineData("unknown_field.json", "unknown field \"biases\" at the top level")]
    [InlineData("not_composing.json",
        "samples[0].layers[2] (inline): is 2×2 but samples[0].layers[1] (inline) is 3×2")]
    public void Each_bad_fixture_is_refused_with_a_message_naming_file_and_problem(string name, string problem)
    {
        var path = Fixture(Path.Combine("bad", name));
        InputAssert.Throws(() => ModelLoader.Load(path), $"{path}: {problem}");
    }
}
