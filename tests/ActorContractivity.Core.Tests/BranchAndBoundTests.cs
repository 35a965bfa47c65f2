using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Enumeration;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Tests;

public class BranchAndBoundTests
{
    [Fact]
    public void Branch_and_bound_returns_the_enumerated_maximum_on_200_random_cases()
    {
        var random = new Random(77);
        for (var k = 0; k < 200; k++)
        {
            var n = 3 + k % 11;
            var a = k % 2 == 0 ? RandomModels.StableOneLayer(random, n) : RandomModels.Gaussian(random, n, n);
            var lower = 0.8 * random.NextDouble();
            var exact = VertexEnumeration.Maximum(new Sample(0, [a]), lower, 1.0, null, 1);
            var result = BranchAndBound.Run(a, lower, 1.0, new BranchAndBoundOptions(Seed: k));
            Assert.True(result.Complete);
            Assert.Empty(result.Open);
            Assert.InRange(result.Maximum - exact.Value, -1e-12 * Math.Max(1, Math.Abs(exact.Value)), 1e-12);
            Assert.InRange(result.ClosedFraction, 1 - 1e-9, 1 + 1e-9);
            Assert.InRange(RandomModels.ReferenceValue(new Sample(0, [a]), result.Vertex, null) - exact.Value,
                -1e-9, 1e-9);
        }
    }

    [Fact]
    public void A_decision_stops_at_the_first_vertex_above_c_and_otherwise_proves_the_bound()
    {
        var random = new Random(5);
        for (var k = 0; k < 60; k++)
        {
            var n = 4 + k % 9;
            var a = RandomModels.StableOneLayer(random, n);
            var lower = 0.6 * random.NextDouble();
            var exact = VertexEnumeration.Maximum(new Sample(0, [a]), lower, 1.0, null, 1).Value;
            var c = exact + (k % 2 == 0 ? 1e-6 : -1e-6);
            var result = BranchAndBound.Run(a, lower, 1.0,
                new BranchAndBoundOptions(StopAbove: c, PruneAtOrBelow: c, Seed: k));
            Assert.True(result.Complete);
            Assert.Equal(exact > c, result.Maximum > c);
        }
    }

    [Fact]
    public void An_exhausted_budget_leaves_open_subtrees_that_finish_the_search_as_independent_tasks()
    {
        var a = RandomModels.Gaussian(new Random(9), 14, 14);
        var exact = VertexEnumeration.Maximum(new Sample(0, [a]), 0.2, 1.0, null, 1).Value;
        var partial = BranchAndBound.Run(a, 0.2, 1.0, new BranchAndBoundOptions(MaxNodes: 5));
        Assert.False(partial.Complete);
        Assert.NotEmpty(partial.Open);
        Assert.True(partial.ClosedFraction < 1);

        var best = partial.Maximum;
        var closed = partial.ClosedFraction;
        foreach (var subtree in partial.Open)
        {
            var rest = BranchAndBound.Run(a, 0.2, 1.0, new BranchAndBoundOptions(), partial.Vertex, subtree);
            Assert.True(rest.Complete);
            best = Math.Max(best, rest.Maximum);
            closed += rest.ClosedFraction;
        }

        Assert.InRange(best - exact, -1e-12, 1e-12);
        Assert.InRange(closed, 1 - 1e-9, 1 + 1e-9);
    }
}

public class LayeredBranchAndBoundTests
{
    [Fact]
    public void Branch_and_bound_returns_the_enumerated_maximum_on_200_random_two_layer_cases()
    {
        var random = new Random(2024);
        for (var k = 0; k < 200; k++)
        {
            var n = 2 + k % 5;
            var m = 2 + k % 4;
            var sample = RandomModels.TwoLayer(random, n, m);
            var lower = 0.9 * random.NextDouble();
            var exact = VertexEnumeration.Maximum(sample, lower, 1.0, null, 1);
            var bound = LayeredBranchAndBound.BoxBound(sample, lower, 1.0);
            Assert.True(bound >= exact.Value,
                $"case {k}: box bound {bound} below the enumerated maximum {exact.Value}");

            var result = BranchAndBound.Run(sample, lower, 1.0, new BranchAndBoundOptions(Seed: k));
            Assert.True(result.Complete);
            Assert.InRange(result.Maximum - exact.Value, -1e-12 * Math.Max(1, Math.Abs(exact.Value)), 1e-12);
            Assert.InRange(result.ClosedFraction, 1 - 1e-9, 1 + 1e-9);
            Assert.InRange(RandomModels.ReferenceValue(sample, result.Vertex, null) - exact.Value, -1e-9, 1e-9);
        }
    }

    [Fact]
    public void Two_layer_decisions_agree_with_enumeration_on_both_sides_of_the_maximum()
    {
        var random = new Random(31);
        for (var k = 0; k < 60; k++)
        {
            var sample = RandomModels.TwoLayer(random, 3 + k % 4, 2 + k % 3);
            var lower = 0.7 * random.NextDouble();
            var exact = VertexEnumeration.Maximum(sample, lower, 1.0, null, 1).Value;
            var c = exact + (k % 2 == 0 ? 1e-7 : -1e-7);
            var result = BranchAndBound.Run(
                sample, lower, 1.0, new BranchAndBoundOptions(StopAbove: c, PruneAtOrBelow: c));
            Assert.True(result.Complete);
            Assert.Equal(exact > c, result.Maximum > c);
        }
    }

    [Fact]
    public void Open_subtrees_of_a_budgeted_two_layer_search_complete_it()
    {
        var sample = RandomModels.TwoLayer(new Random(3), 6, 5);
        var exact = VertexEnumeration.Maximum(sample, 0.1, 1.0, null, 1).Value;
        var partial = BranchAndBound.Run(sample, 0.1, 1.0, new BranchAndBoundOptions(MaxNodes: 7));
        Assert.False(partial.Complete);
        var best = partial.Maximum;
        var closed = partial.ClosedFraction;
        foreach (var subtree in partial.Open)
        {
            var rest = BranchAndBound.Run(sample, 0.1, 1.0, new BranchAndBoundOptions(), partial.Vertex, subtree);
            best = Math.Max(best, rest.Maximum);
            closed += rest.ClosedFraction;
        }

        Assert.InRange(best - exact, -1e-12, 1e-12);
        Assert.InRange(closed, 1 - 1e-9, 1 + 1e-9);
    }
}
