namespace ActorContractivity.NeuralOde.Model;

/// <summary>Standard normal samples from a seeded <see cref="Random"/>.</summary>
public static class Gaussian
{
    /// <summary>One N(0, 1) sample (Box–Muller).</summary>
    public static double Sample(Random random)
    {
        var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
        return radius * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
