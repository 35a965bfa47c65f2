using System.Numerics.Tensors;
using ActorContractivity.Core.Eigen;
using ActorContractivity.NeuralOde.Model;

namespace ActorContractivity.NeuralOde.Attacks;

/// <summary>
/// Empirical contraction of the integrated flow: ‖u(T) − v(T)‖ / ‖u₀ − v₀‖ for pairs of initial states,
/// computed with the same Euler steps the classifier takes.
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
    /// The direction in which the Euler map u₀ ↦ u_N expands most at <paramref name="u0"/>: the top right singular
    /// vector of its Jacobian J = (I + h D_(N−1) A) ⋯ (I + h D_0 A), found as the top eigenvector of JᵀJ by
    /// Lanczos (<see cref="OdePass.PushForward"/> and <see cref="OdePass.PullBack"/> apply J and Jᵀ) from a seeded
    /// random start, until the residual meets <paramref name="options"/>' tolerance or its budget of products is spent.
    /// </summary>
    public static Expansion WorstDirection(
        OdeClassifier model, OdePass pass, ReadOnlySpan<double> u0, LanczosOptions options, Random random)
    {
        pass.IntegrateFrom(model, u0);
        var pair = Lanczos.Largest(new NormalOperator(model, pass), [], options, random);
        return new Expansion(pair.Vector, Math.Sqrt(Math.Max(pair.Value, 0)), pair.Products, pair.Converged);
    }

    /// <summary>JᵀJ for the trajectory the pass holds.</summary>
    private sealed class NormalOperator(OdeClassifier model, OdePass pass) : ISymmetricOperator
    {
        public int Dimension => model.Shape.Dimension;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            x.CopyTo(y);
            pass.PushForward(model, y);
            pass.PullBack(model, y);
        }
    }
}

/// <summary>The most expanded direction of the Euler map at a state, and how it was found.</summary>
/// <param name="Direction">The unit vector w.</param>
/// <param name="Gain">‖J w‖ = √(wᵀJᵀJw), ‖J‖₂ up to the eigen-solver's tolerance.</param>
/// <param name="Products">Products with JᵀJ spent (each one push forward and one pull back).</param>
/// <param name="Converged">Whether the residual met the tolerance within the budget.</param>
public sealed record Expansion(double[] Direction, double Gain, int Products, bool Converged);
