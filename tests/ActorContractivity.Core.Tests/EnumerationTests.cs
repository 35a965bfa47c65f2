using ActorContractivity.Core.Enumeration;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Tests;

public class EnumerationTests
{
    [Fact]
    public void Enumeration_matches_a_mathnet_brute_force_on_one_and_two_layer_flows_and_steps()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 60; trial++)
        {
            var n = 2 + trial % 5;
            var sample = trial % 3 == 0
                ? RandomModels.TwoLayer(random, n, 1 + trial % 4)
                : new Sample(0, [RandomModels.Gaussian(random, n, n)]);
            double? step = trial % 4 == 1 ? 0.2 : null;
            var lower = 0.5 * random.NextDouble();
            var result = VertexEnumeration.Maximum(sample, lower, 1.0, step);
            var expected = RandomModels.BruteForceMaximum(sample, lower, 1.0, step);
            Assert.InRange(result.Value - expected, -1e-10, 1e-10);
            Assert.InRange(RandomModels.ReferenceValue(sample, result.Vertex, step) - expected, -1e-10, 1e-10);
            Assert.All(result.Vertex, v => Assert.True(v == lower || v == 1.0));
            Assert.Equal(1L << sample.DiagonalCount, result.VerticesVisited);
        }
    }

    [Fact]
    public void Enumeration_of_twenty_slopes_visits_a_million_vertices_and_agrees_with_spot_checks()
    {
        var random = new Random(17);
        var sample = new Sample(0, [RandomModels.StableOneLayer(random, 20)]);
        var result = VertexEnumeration.Maximum(sample, 0.3, 1.0, null);
        Assert.Equal(1L << 20, result.VerticesVisited);
        Assert.InRange(RandomModels.ReferenceValue(sample, result.Vertex, null) - result.Value, -1e-10, 1e-10);
        for (var k = 0; k < 200; k++)
        {
            var vertex = Enumerable.Range(0, 20).Select(_ => random.Next(2) == 1 ? 1.0 : 0.3).ToArray();
            Assert.True(RandomModels.ReferenceValue(sample, vertex, null) <= result.Value + 1e-10);
        }
    }
}
