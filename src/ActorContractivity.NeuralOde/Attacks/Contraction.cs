using System.Numerics.Tensors;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Attacks;

/// <summary>
/// Empirical contraction of the integrated flow: ‖u(T) − v(T)‖ / ‖u₀ − v₀‖ for pairs of initial states, computed
/// with the same Euler steps the classifier takes.
/// </summary>
public static class Contraction
{
    /// <summary>The ratio for one pair, or null when u₀ = v₀.</summary>
    public static double? Ratio(OdeClassifier model, OdePass pass, ReadOnlySpan<double> u0, ReadOnlySpan<double> v0)
    {
        var n = model.Shape.Dimension;
        var initial = TensorPrimitives.Distance(u0, v0);
        if (initial == 0)
        {
            return null;
        }

        var uFinal = pass.IntegrateFrom(model, u0).ToArray();
        var vFinal = pass.IntegrateFrom(model, v0);
        return TensorPrimitives.Distance(uFinal.AsSpan(0, n), vFinal) / initial;
    }

    /// <summary>
    /// The direction in which the Euler map expands most at <paramref name="u0"/>: power iteration on JᵀJ, with J its
    /// derivative there (<see cref="OdePass.PushForward"/> and <see cref="OdePass.PullBack"/>), from a seeded random
    /// start. Returns a unit vector.
    /// </summary>
    public static double[] WorstDirection(
        OdeClassifier model, OdePass pass, ReadOnlySpan<double> u0, int iterations, Random random)
    {
        var n = model.Shape.Dimension;
        var direction = new double[n];
        for (var i = 0; i < n; i++)
        {
            direction[i] = Gaussian.Sample(random);
        }

        pass.IntegrateFrom(model, u0);
        for (var k = 0; k < iterations; k++)
        {
            TensorPrimitives.Divide(direction, TensorPrimitives.Norm(direction), direction);
            pass.PushForward(model, direction);
            pass.PullBack(model, direction);
        }

        TensorPrimitives.Divide(direction, TensorPrimitives.Norm(direction), direction);
        return direction;
    }
}
