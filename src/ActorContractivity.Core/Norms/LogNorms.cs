using ActorContractivity.Core.Model;
using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Norms;

/// <summary>The logarithmic norm to certify with.</summary>
public enum LogNormKind
{
    /// <summary>μ₂(M) = λ_max((M + Mᵀ)/2).</summary>
    Two,

    /// <summary>μ₁(M) = max_j (m_jj + Σ_{i≠j} |m_ij|).</summary>
    One,

    /// <summary>μ∞(M) = max_i (m_ii + Σ_{j≠i} |m_ij|).</summary>
    Infinity,
}

/// <summary>Logarithmic norms of a square matrix, computed densely (reference values and reports).</summary>
public static class LogNorms
{
    /// <summary>μ₂(M) = λ_max(Sym M) by a dense symmetric eigendecomposition.</summary>
    public static double Mu2(Matrix m)
    {
        RequireSquare(m);
        var n = m.Rows;
        var sym = Matrix<double>.Build.Dense(n, n, (i, j) => 0.5 * (m[i, j] + m[j, i]));
        return sym.Evd(Symmetricity.Symmetric).EigenValues.Max(v => v.Real);
    }

    /// <summary>μ₁(M): the largest column sum with the diagonal entry taken with its sign.</summary>
    public static double Mu1(Matrix m)
    {
        RequireSquare(m);
        var best = double.NegativeInfinity;
        for (var j = 0; j < m.Cols; j++)
        {
            var sum = m[j, j];
            for (var i = 0; i < m.Rows; i++)
            {
                sum += i == j ? 0.0 : Math.Abs(m[i, j]);
            }

            best = Math.Max(best, sum);
        }

        return best;
    }

    /// <summary>μ∞(M): the largest row sum with the diagonal entry taken with its sign.</summary>
    public static double MuInfinity(Matrix m)
    {
        RequireSquare(m);
        var best = double.NegativeInfinity;
        for (var i = 0; i < m.Rows; i++)
        {
            var sum = m[i, i];
            for (var j = 0; j < m.Cols; j++)
            {
                sum += i == j ? 0.0 : Math.Abs(m[i, j]);
            }

            best = Math.Max(best, sum);
        }

        return best;
    }

    /// <summary>The logarithmic norm of the given kind.</summary>
    public static double Of(Matrix m, LogNormKind kind) => kind switch
    {
        LogNormKind.Two => Mu2(m),
        LogNormKind.One => Mu1(m),
        _ => MuInfinity(m),
    };

    private static void RequireSquare(Matrix m)
    {
        if (!m.IsSquare)
        {
            throw new ArgumentException($"a logarithmic norm needs a square matrix, got {m.Rows}×{m.Cols}");
        }
    }
}
