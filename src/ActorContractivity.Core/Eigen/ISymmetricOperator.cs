namespace ActorContractivity.Core.Eigen;

/// <summary>A real symmetric linear operator known only through its action y = S x.</summary>
public interface ISymmetricOperator
{
    /// <summary>The dimension n of the space S acts on.</summary>
    int Dimension { get; }

    /// <summary>Writes S x into y; x and y do not overlap.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y);
}

/// <summary>
/// An approximate top eigenpair (θ, x) of a symmetric operator S with ‖x‖ = 1 and residual ‖S x − θ x‖.
/// By the Bauer–Fike bound some eigenvalue of S lies within <see cref="Residual"/> of θ.
/// </summary>
/// <param name="Value">The Ritz value θ.</param>
/// <param name="Vector">The unit Ritz vector x.</param>
/// <param name="Residual">‖S x − θ x‖₂.</param>
/// <param name="Products">How many products with S were spent.</param>
/// <param name="Converged">Whether the residual met the requested tolerance.</param>
public sealed record EigenPair(double Value, double[] Vector, double Residual, int Products, bool Converged);
