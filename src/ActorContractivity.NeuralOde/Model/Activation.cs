namespace ActorContractivity.NeuralOde.Model;

/// <summary>
/// σ_ℓ(x) = ℓ·x + (1 − ℓ)·tanh(x): its slopes σ_ℓ′ = ℓ + (1 − ℓ)(1 − tanh²x) fill (ℓ, 1], so
/// a certificate for the slope box [ℓ, 1] covers it. ℓ = 0 is tanh (slopes in (0, 1]), ℓ = 1 the identity.
/// </summary>
/// <param name="Slope">ℓ, the lowest slope, in [0, 1].</param>
public sealed record Activation(double Slope)
{
    /// <summary>tanh.</summary>
    public static readonly Activation Tanh = new(0.0);

    /// <summary>σ_ℓ(x) and σ_ℓ′(x).</summary>
    public (double Value, double Derivative) Evaluate(double x)
    {
        var t = Math.Tanh(x);
        return (Slope * x + (1 - Slope) * t, Slope + (1 - Slope) * (1 - t * t));
    }

    /// <summary>Refuses a slope outside [0, 1].</summary>
    public static Activation WithSlope(double slope) => slope is >= 0 and <= 1
        ? new Activation(slope)
        : throw new ArgumentOutOfRangeException(nameof(slope), slope, "the lowest slope ℓ must lie in [0, 1]");
}
