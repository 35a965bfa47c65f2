using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>Random stable models: A = G/√n − 1.6·I with Gaussian G, so that intervals exist and need several steps.</summary>
public static class TestModels
{
    /// <summary>A time-sampled one-layer model with <paramref name="samples"/> samples of dimension n.</summary>
    public static NeuralOdeModel TimeSampled(int samples, int n, int seed)
    {
        var random = new Random(seed);
        return new NeuralOdeModel(Enumerable.Range(0, samples)
            .Select(s => new Sample(0.1 * s, [Stable(random, n)])).ToArray());
    }

    /// <summary>A stable n×n layer.</summary>
    public static Matrix Stable(Random random, int n)
    {
        var values = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                values[i * n + j] = normal / Math.Sqrt(n) - (i == j ? 1.6 : 0);
            }
        }

        return Matrix.FromRowMajor(n, n, values);
    }
}
