using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.NeuralOde.Stabilise;

/// <summary>
/// What the flow certificate says about the explicit Euler step the classifier actually takes. Two Euler
/// trajectories of u′ = σ(A u + b) differ by e_{k+1} = (I + h D_k A) e_k, where D_k holds difference quotients
/// of σ, so D_k ∈ [ℓ, 1]ⁿ when σ′ ∈ [ℓ, 1]. For every such D,
/// ‖(I + hDA)e‖² = ‖e‖² + 2h eᵀDAe + h²‖DAe‖²
/// ≤ (1 + 2h μ₂(DA) + h²‖A‖₂²) ‖e‖²  (as ‖D‖₂ ≤ 1).
/// Hence if μ₂(DA) ≤ c′ := (e^{2hc} − 1 − h²β²) / (2h) for every D in the box, with β ≥ ‖A‖₂,
/// each step multiplies distances by at most e^{hc} and N = T/h steps by at most e^{cT}: the flow certificate
/// at c′ proves the discrete claim at c.
/// </summary>
public static class EulerContraction
{
    /// <summary>The relative margin by which β exceeds the computed largest singular value.</summary>
    public const double SpectralMargin = 1e-8;

    /// <summary>
    /// β ≥ ‖A‖₂ for the row-major n×n <paramref name="weights"/>: the largest singular value of a
    /// backward-stable SVD, whose error is at most p(n)·u·‖A‖₂ with p a modest polynomial, enlarged by
    /// <see cref="SpectralMargin"/>, which exceeds that error by orders of magnitude for the sizes used here.
    /// </summary>
    public static double SpectralNormBound(ReadOnlySpan<double> weights, int n)
    {
        // Limitation: β rests on the SVD's backward stability, not on a rounding-error proof like the certificate's.
        var (sigma, _, _) = TopSingularTriple(weights, n);
        return sigma * (1 + SpectralMargin);
    }

    /// <summary>σ₁(A) and its left and right singular vectors (∂σ₁/∂A = u vᵀ).</summary>
    public static (double Sigma, double[] Left, double[] Right) TopSingularTriple(ReadOnlySpan<double> weights, int n)
    {
        var a = Matrix<double>.Build.Dense(n, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[i, j] = weights[i * n + j];
            }
        }

        var svd = a.Svd(computeVectors: true);
        return (svd.S[0], svd.U.Column(0).ToArray(), svd.VT.Row(0).ToArray());
    }

    /// <summary>
    /// c_h = (e^{2hc} − 1) / (2h): μ₂(DA) + (h/2)‖A‖₂² ≤ c_h makes a step contract at rate c.
    /// </summary>
    public static double StepTarget(double c, double h) => double.ExpM1(2 * h * c) / (2 * h);

    /// <summary>
    /// c′ = c_h − hβ²/2, lowered by a relative 1e-12 so that rounding in this formula cannot make it optimistic.
    /// </summary>
    public static double FlowBound(double c, double h, double beta)
    {
        var bound = StepTarget(c, h) - 0.5 * h * beta * beta;
        return bound - 1e-12 * (1 + Math.Abs(bound));
    }
}
