using System.Numerics.Tensors;
using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Inner;

/// <summary>The value, gradient and eigenvector of the worst-case objective at one slope pattern.</summary>
/// <param name="Value">φ-scale value: μ₂(J) = λ_max(Sym J), or ln‖I + hJ‖₂ / h for the discrete
/// model.</param>
/// <param name="Vector">The unit top eigenvector x of Sym J (for the discrete model, the right singular vector
/// q).</param>
/// <param name="Gradient">∂Value/∂d for the flat slopes d.</param>
/// <param name="Residual">Eigen-solver residual, converted to the scale of <paramref name="Value"/>.</param>
/// <param name="Products">Products with J or Jᵀ spent.</param>
public sealed record Evaluation(double Value, double[] Vector, double[] Gradient, double Residual, int Products);

/// <summary>An <see cref="Evaluation"/> before its gradient is formed by whoever holds the slopes.</summary>
/// <param name="Value">φ-scale value.</param>
/// <param name="Vector">The unit top eigenvector (right singular vector for the discrete model).</param>
/// <param name="Residual">Eigen-solver residual on the scale of the value.</param>
/// <param name="Products">Products with J or Jᵀ spent.</param>
/// <param name="GradientScale">The weight of (y_j)_i (z_j)_i in the gradient; null when the gradient is zero.</param>
internal readonly record struct Measurement(
    double Value, double[] Vector, double Residual, int Products, double? GradientScale)
{
    /// <summary>The evaluation with its gradient.</summary>
    public Evaluation WithGradient(double[] gradient) => new(Value, Vector, gradient, Residual, Products);
}

/// <summary>
/// F(D) for one sample: λ_max(Sym(J)) for the flow u' = σ(…), or, for the explicit Euler step h of the discrete
/// model, ln σ_max(I + hJ) / h, which is ≤ c exactly when ‖I + hJ‖₂ ≤ e^{hc} and tends to μ₂(J) as
/// h → 0. Both are convex in each D_j (a maximum of functions linear in D_j), the fact the inner solver relies on.
/// Gradients (DESIGN notation): ∂λ_max/∂(D_j)_ii = (y_j)_i (z_j)_i with x on both sides; for the discrete model
/// the top singular pair (p, q) of M = I + hJ gives ∂σ/∂(D_j)_ii = h (y_j(p))_i (z_j(q))_i. Not thread-safe.
/// </summary>
public sealed class SlopeObjective
{
    private readonly JacobianChain _chain;
    private readonly double? _step;
    private readonly LanczosOptions _lanczos;

    /// <summary>Creates the objective of a sample; <paramref name="discreteStep"/> null means the flow.</summary>
    public SlopeObjective(Sample sample, double? discreteStep, LanczosOptions? lanczos = null)
    {
        Sample = sample;
        _chain = new JacobianChain(sample);
        _step = discreteStep;
        _lanczos = lanczos ?? LanczosOptions.Default;
    }

    /// <summary>The sample.</summary>
    public Sample Sample { get; }

    /// <summary>The chain (offsets of each layer's diagonal).</summary>
    public JacobianChain Chain => _chain;

    /// <summary>The discrete step h, or null for the flow.</summary>
    public double? DiscreteStep => _step;

    /// <summary>Evaluates F, its top eigenvector and its gradient at the slopes d.</summary>
    public Evaluation Evaluate(ReadOnlySpan<double> d, ReadOnlySpan<double> warmStart, Random random)
    {
        d.CopyTo(_chain.Slopes);
        var measured = Measure(_chain, _step, _lanczos, warmStart, random);
        var gradient = new double[d.Length];
        if (measured.GradientScale is { } scale)
        {
            _chain.AccumulateGradient(gradient, scale);
        }

        return measured.WithGradient(gradient);
    }

    /// <summary>
    /// F and its top eigenvector for the products <paramref name="chain"/> applies. The last forward and backward
    /// passes it leaves behind, weighted by <see cref="Measurement.GradientScale"/>, are the gradient; whoever holds
    /// the slopes forms it, so the slopes and the gradient can stay wherever the weights are.
    /// </summary>
    internal static Measurement Measure(
        IJacobianProducts chain, double? discreteStep, LanczosOptions lanczos, ReadOnlySpan<double> warmStart,
        Random random)
    {
        var work = new double[chain.Dimension];
        if (discreteStep is not { } h)
        {
            var op = new SymmetricPart(chain, work);
            var pair = Lanczos.Largest(op, warmStart, lanczos, random);
            chain.Forward(pair.Vector, work);
            chain.Backward(pair.Vector, work);
            return new Measurement(pair.Value, pair.Vector, pair.Residual, 2 * pair.Products + 2, 1.0);
        }

        // Work with MᵀM − I = h(J + Jᵀ) + h²JᵀJ rather than MᵀM: its top eigenvalue η carries the
        // information that 1 + η would round away when h is small, and ln σ / h = ln(1 + η) / (2h).
        var gram = new StepGramMinusIdentity(chain, h, work, new double[chain.Dimension]);
        var top = Lanczos.Largest(gram, warmStart, lanczos, random);
        var eta = top.Value;
        if (eta <= -1.0)
        {
            // I + hJ is singular to working precision: the step maps some difference to zero.
            return new Measurement(double.NegativeInfinity, top.Vector, 0.0, 2 * top.Products, null);
        }

        var sigma = Math.Sqrt(1.0 + eta);
        var q = top.Vector;
        var p = new double[q.Length];
        chain.Forward(q, p);
        TensorPrimitives.Multiply(p, h, p);
        TensorPrimitives.Add(p, q, p);
        TensorPrimitives.Divide(p, sigma, p);
        chain.Backward(p, work);

        // Forward keeps z_j(q) and Backward y_j(p): d(ln σ / h) = dσ / (hσ) = (y_j(p))_i (z_j(q))_i / σ.
        var value = StableMath.Log1P(eta) / (2 * h);
        var residual = top.Residual / (2 * h * (1.0 + eta));
        return new Measurement(value, q, residual, 2 * top.Products + 2, 1.0 / sigma);
    }

    /// <summary>Sym(J) x = (J x + Jᵀ x) / 2.</summary>
    private sealed class SymmetricPart(IJacobianProducts chain, double[] work) : ISymmetricOperator
    {
        public int Dimension => chain.Dimension;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            chain.Forward(x, y);
            chain.Backward(x, work);
            TensorPrimitives.Add(y, work, y);
            TensorPrimitives.Multiply(y, 0.5, y);
        }
    }

    /// <summary>
    /// (MᵀM − I) x = h J x + h Jᵀ(M x) with M = I + hJ; its top eigenvalue is σ_max(M)² − 1.
    /// </summary>
    private sealed class StepGramMinusIdentity(IJacobianProducts chain, double h, double[] work, double[] work2)
        : ISymmetricOperator
    {
        public int Dimension => chain.Dimension;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            chain.Forward(x, work);
            TensorPrimitives.Multiply(work, h, work);
            TensorPrimitives.Add(work, x, work2);
            chain.Backward(work2, y);
            TensorPrimitives.Multiply(y, h, y);
            TensorPrimitives.Add(y, work, y);
        }
    }
}
