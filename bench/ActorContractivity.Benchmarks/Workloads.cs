using ActorContractivity.Core.Model;

namespace ActorContractivity.Benchmarks;

/// <summary>The benchmark models: dense random weights A = −1.6·I + G, G with N(0, 1/n) entries.</summary>
/// <remarks>
/// Sym(G) has its spectrum edge near √2, so D = I contracts while a box with small lower slopes does not:
/// the tuned lower end is an interior point and the search does real work.
/// </remarks>
public static class Workloads
{
    /// <summary>The seeded model of dimension n.</summary>
    public static NeuralOdeModel DenseRandom(int n, int seed = 1)
    {
        var random = new Random(seed);
        var values = new double[n * n];
        var scale = 1.0 / Math.Sqrt(n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var u1 = 1.0 - random.NextDouble();
                var u2 = random.NextDouble();
                var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
                values[i * n + j] = scale * normal + (i == j ? -1.6 : 0.0);
            }
        }

        return NeuralOdeModel.OneLayer(Matrix.FromRowMajor(n, n, values));
    }
}
