using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Tests.Loading;

/// <summary>
/// Loads the known-answer cases in <c>fixtures/cases</c> (copied from the shared case set) and checks shapes,
/// times and entries read independently from the files with Python's struct module.
/// </summary>
public sealed class KnownCaseTests
{
    private static LoadedModel LoadCase(string name) =>
        ModelLoader.Load(Path.Combine(TestPaths.Case(name), "model.json"));

    [Theory]
    [InlineData("infeasible_0", 8, new[] { 8, 8 })]
    [InlineData("one_layer_0", 11, new[] { 11, 11 })]
    [InlineData("one_layer_1", 6, new[] { 6, 6 })]
    [InlineData("one_layer_2", 9, new[] { 9, 9 })]
    [InlineData("one_layer_3", 11, new[] { 11, 11 })]
    [InlineData("two_layer_0", 6, new[] { 7, 6, 6, 7 })]
    [InlineData("two_layer_1", 4, new[] { 6, 4, 4, 6 })]
    public void Every_single_sample_case_loads_with_the_shapes_of_its_files(string name, int dimension, int[] shapes)
    {
        var loaded = LoadCase(name);

        Assert.Equal(dimension, loaded.Model.Dimension);
        var sample = Assert.Single(loaded.Model.Samples);
        Assert.Equal(0.0, sample.Time);
        Assert.Equal(shapes, sample.Layers.SelectMany(l => new[] { l.Rows, l.Cols }));
        Assert.Equal(sample.Layers.Select((_, j) => j), loaded.LayerNames[0].Select(n => int.Parse(n[4..5])));
    }

    [Fact]
    public void One_layer_3_csv_reads_11_by_11_with_exact_entries()
    {
        var a = LoadCase("one_layer_3").Model.Samples[0].Layers[0];
        Assert.Equal((11, 11), (a.Rows, a.Cols));
        Assert.Equal(-1.7344595030057395, a[0, 0]);
        Assert.Equal(0.34811587682264367, a[0, 1]);
        Assert.Equal(-0.28363168210583739, a[1, 0]);
        Assert.Equal(-2.1551890189941449, a[10, 10]);
    }

    [Fact]
    public void Infeasible_0_csv_reads_exact_entries()
    {
        var a = LoadCase("infeasible_0").Model.Samples[0].Layers[0];
        Assert.Equal(0.81008943295497748, a[0, 0]);
        Assert.Equal(-0.019844087178313128, a[0, 1]);
        Assert.Equal(-0.13211006975265427, a[1, 0]);
        Assert.Equal(0.2083177758830298, a[7, 7]);
    }

    [Fact]
    public void One_layer_0_c_ordered_float64_npy_reads_exact_entries()
    {
        var a = LoadCase("one_layer_0").Model.Samples[0].Layers[0];
        Assert.Equal(-1.6463155858040213, a[0, 0]);
        Assert.Equal(-0.08265567336992671, a[0, 1]);
        Assert.Equal(0.031783591953011565, a[1, 0]);
        Assert.Equal(-1.9145925078580828, a[10, 10]);
    }

    [Fact]
    public void One_layer_1_float32_npy_reads_6_by_6_with_exactly_widened_entries()
    {
        var a = LoadCase("one_layer_1").Model.Samples[0].Layers[0];
        Assert.Equal((6, 6), (a.Rows, a.Cols));
        Assert.Equal(-1.7096717357635498, a[0, 0]);
        Assert.Equal(0.14812873303890228, a[0, 1]);
        Assert.Equal(-0.3451727330684662, a[1, 0]);
        Assert.Equal(-1.5218063592910767, a[5, 5]);
        Assert.All(a.RowMajorValues.ToArray(), v => Assert.Equal(v, (double)(float)v));
    }

    [Fact]
    public void One_layer_2_fortran_ordered_float64_npy_is_not_transposed()
    {
        var a = LoadCase("one_layer_2").Model.Samples[0].Layers[0];
        Assert.Equal(-1.7403016469809591, a[0, 0]);
        Assert.Equal(0.4690907331855107, a[0, 1]);
        Assert.Equal(-0.25077049081519637, a[1, 0]);
        Assert.Equal(-1.238269604860728, a[8, 8]);
    }

    [Fact]
    public void Time_dependent_0_loads_four_fortran_ordered_samples_at_their_times()
    {
        var loaded = LoadCase("time_dependent_0");

        Assert.Equal([0.0, 1.0, 2.0, 3.0], loaded.Model.Samples.Select(s => s.Time));
        Assert.All(loaded.Model.Samples, s => Assert.Equal((7, 7), (s.Layers[0].Rows, s.Layers[0].Cols)));
        Assert.Equal([["s0_l0.npy"], ["s1_l0.npy"], ["s2_l0.npy"], ["s3_l0.npy"]], loaded.LayerNames);
        var s0 = loaded.Model.Samples[0].Layers[0];
        Assert.Equal(-0.5426066017363387, s0[0, 1]);
        Assert.Equal(-0.6635813153435934, s0[1, 0]);
        var s3 = loaded.Model.Samples[3].Layers[0];
        Assert.Equal(-1.3686516207082906, s3[0, 0]);
        Assert.Equal(-1.3793817111032836, s3[6, 6]);
    }

    [Fact]
    public void Two_layer_0_float64_layers_compose_7_by_6_then_6_by_7()
    {
        var layers = LoadCase("two_layer_0").Model.Samples[0].Layers;
        Assert.Equal(-0.5752357568785483, layers[0][0, 0]);
        Assert.Equal(0.18935839916155014, layers[0][6, 5]);
        Assert.Equal(0.7637429733430371, layers[1][1, 0]);
        Assert.Equal(0.9466420593596394, layers[1][5, 6]);
    }

    [Fact]
    public void Two_layer_1_float32_layers_compose_6_by_4_then_4_by_6()
    {
        var loaded = LoadCase("two_layer_1");
        var layers = loaded.Model.Samples[0].Layers;
        Assert.Equal((6, 4), (layers[0].Rows, layers[0].Cols));
        Assert.Equal((4, 6), (layers[1].Rows, layers[1].Cols));
        Assert.Equal(-0.5429081320762634, layers[0][0, 1]);
        Assert.Equal(2.0328946113586426, layers[1][1, 0]);
        Assert.Equal([6, 4], loaded.Model.Samples[0].Widths);
        Assert.Equal([["s0_l0.npy", "s0_l1.npy"]], loaded.LayerNames);
    }

    [Theory]
    [InlineData("one_layer_0", "s0_l0.npy")]
    [InlineData("one_layer_2", "s0_l0.npy")]
    [InlineData("one_layer_3", "s0_l0.csv")]
    public void A_case_matrix_loaded_directly_equals_the_one_its_manifest_loads(string name, string file)
    {
        var direct = ModelLoader.Load(Path.Combine(TestPaths.Case(name), file)).Model.Samples[0].Layers[0];
        var viaManifest = LoadCase(name).Model.Samples[0].Layers[0];
        Assert.Equal(viaManifest.ToRows(), direct.ToRows());
    }
}
