using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Attacks;

/// <summary>
/// Perturbations of an input image within an ℓ∞ budget ε, pixels kept in [0, 1]: FGSM (one signed-gradient step
/// of size ε, Goodfellow et al.), PGD (Madry et al.: a random start in the ε-box, then signed-gradient steps of
/// size α projected back onto the box), and Gaussian noise.
/// </summary>
public sealed class Perturbations(OdeClassifier model)
{
    private readonly OdePass _pass = new(model.Shape);
    private readonly double[] _gradient = new double[model.Shape.Inputs];

    /// <summary>The pass, holding the trajectory of the last input evaluated.</summary>
    public OdePass Pass => _pass;

    /// <summary>x + ε·sign(∇ₓL), clipped to [0, 1].</summary>
    public void Fgsm(ReadOnlySpan<double> input, int label, double epsilon, Span<double> perturbed)
    {
        _pass.Backward(model, input, label, [], _gradient);
        for (var k = 0; k < input.Length; k++)
        {
            perturbed[k] = Math.Clamp(input[k] + epsilon * Math.Sign(_gradient[k]), 0, 1);
        }
    }

    /// <summary>
    /// PGD with <paramref name="steps"/> steps of α = <paramref name="stepFactor"/>·ε/steps from a uniform random
    /// start in the ε-box.
    /// </summary>
    public void Pgd(
        ReadOnlySpan<double> input, int label, double epsilon, int steps, double stepFactor, Random random,
        Span<double> perturbed)
    {
        var alpha = stepFactor * epsilon / steps;
        for (var k = 0; k < input.Length; k++)
        {
            perturbed[k] = Math.Clamp(input[k] + epsilon * (2 * random.NextDouble() - 1), 0, 1);
        }

        for (var s = 0; s < steps; s++)
        {
            _pass.Backward(model, perturbed, label, [], _gradient);
            for (var k = 0; k < input.Length; k++)
            {
                var moved = perturbed[k] + alpha * Math.Sign(_gradient[k]);
                perturbed[k] = Math.Clamp(Math.Clamp(moved, input[k] - epsilon, input[k] + epsilon), 0, 1);
            }
        }
    }

    /// <summary>x plus independent N(0, σ²) noise on every pixel, clipped to [0, 1].</summary>
    public static void Noise(ReadOnlySpan<double> input, double sigma, Random random, Span<double> perturbed)
    {
        for (var k = 0; k < input.Length; k++)
        {
            perturbed[k] = Math.Clamp(input[k] + sigma * Gaussian.Sample(random), 0, 1);
        }
    }
}
