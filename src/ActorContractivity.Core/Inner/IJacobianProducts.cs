namespace ActorContractivity.Core.Inner;

/// <summary>
/// Products with a Jacobian J = D_k A_k ⋯ D_1 A_1 at fixed slopes, and with Jᵀ, that remember what the gradient
/// needs: after a <see cref="Forward"/> with x and a <see cref="Backward"/> with y, whoever holds the slopes can form
/// ∂(yᵀ J x)/∂(D_j)_ii = (y_j)_i (z_j)_i (DESIGN §1.4).
/// </summary>
public interface IJacobianProducts
{
    /// <summary>The width of the vectors J acts on.</summary>
    int Dimension { get; }

    /// <summary>result = J x.</summary>
    void Forward(ReadOnlySpan<double> x, Span<double> result);

    /// <summary>result = Jᵀ y.</summary>
    void Backward(ReadOnlySpan<double> y, Span<double> result);
}
