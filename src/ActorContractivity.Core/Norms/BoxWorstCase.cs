using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Norms;

/// <summary>A closed-form worst case over a slope box: the value, a maximising D and ∂value/∂d there.</summary>
public sealed record ClosedFormWorstCase(double Value, double[] Slopes, double[] Gradient);

/// <summary>
/// Worst case of μ₁ and μ∞ over the box D ∈ [ℓ, u]^n for one layer, in closed form. Rows (μ∞) resp.
/// columns (μ₁) decouple: μ∞(DA) = max_i d_i (a_ii + Σ_{j≠i} |a_ij|) because d_i ≥ 0, and column j of
/// μ₁(DA) is d_j a_jj + Σ_{i≠j} d_i |a_ij|, linear in d with non-negative off-diagonal weights. For the explicit
/// Euler step h the row (column) of ‖I + hDA‖ is convex in its own slope, so each is maximised at an end point; the
/// value is then reported as ln‖I + hDA‖ / h. Internally the row (column) values are kept as excesses over 1.
/// </summary>
public static class BoxWorstCase
{
    /// <summary>The closed-form worst case of the given norm (<see cref="LogNormKind.One"/> or Infinity).</summary>
    public static ClosedFormWorstCase Evaluate(
        Matrix a, double lower, double upper, LogNormKind kind, double? discreteStep)
    {
        if (kind == LogNormKind.Two || !a.IsSquare)
        {
            throw new ArgumentException("closed forms exist for μ₁ and μ∞ of one square layer only");
        }

        return kind == LogNormKind.Infinity
            ? Rows(a, lower, upper, discreteStep)
            : Columns(a, lower, upper, discreteStep);
    }

    private static ClosedFormWorstCase Rows(Matrix a, double lower, double upper, double? step)
    {
        var n = a.Rows;
        var slopes = new double[n];
        var best = double.NegativeInfinity;
        var bestRow = 0;
        var bestSlope = 0.0;
        for (var i = 0; i < n; i++)
        {
            var diagonal = a[i, i];
            var off = OffDiagonalAbsSum(a.Row(i), i);
            double RowValue(double d) =>
                step is { } h ? NormExcess(h * d * diagonal, h * d * off) : d * (diagonal + off);
            var atLower = RowValue(lower);
            var atUpper = RowValue(upper);
            slopes[i] = atUpper >= atLower ? upper : lower;
            var value = Math.Max(atLower, atUpper);
            if (value > best)
            {
                best = value;
                bestRow = i;
                bestSlope = slopes[i];
            }
        }

        var gradient = new double[n];
        var diag = a[bestRow, bestRow];
        var offBest = OffDiagonalAbsSum(a.Row(bestRow), bestRow);
        if (step is { } hs)
        {
            var sign = Math.Sign(1 + hs * bestSlope * diag);
            gradient[bestRow] = (sign * diag + offBest) / (1.0 + best);
            return new ClosedFormWorstCase(StableMath.Log1P(best) / hs, slopes, gradient);
        }

        gradient[bestRow] = diag + offBest;
        return new ClosedFormWorstCase(best, slopes, gradient);
    }

    private static ClosedFormWorstCase Columns(Matrix a, double lower, double upper, double? step)
    {
        var n = a.Rows;
        var best = double.NegativeInfinity;
        var bestColumn = 0;
        var bestSlope = 0.0;
        // One buffer for the columns: the matrix keeps rows only, and a copy per column would allocate n² doubles.
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            var diagonal = a[j, j];
            a.CopyColumn(j, column);
            var off = OffDiagonalAbsSum(column, j);

            // The other slopes multiply |a_ij| ≥ 0, so they sit at the upper bound.
            double ColumnValue(double d) =>
                step is { } h ? NormExcess(h * d * diagonal, h * upper * off) : d * diagonal + upper * off;
            var atLower = ColumnValue(lower);
            var atUpper = ColumnValue(upper);
            var value = Math.Max(atLower, atUpper);
            if (value > best)
            {
                best = value;
                bestColumn = j;
                bestSlope = atUpper >= atLower ? upper : lower;
            }
        }

        var slopes = Enumerable.Repeat(upper, n).ToArray();
        slopes[bestColumn] = bestSlope;
        var gradient = new double[n];
        a.CopyColumn(bestColumn, column);
        var scale = step is not null ? 1.0 / (1.0 + best) : 1.0;
        for (var i = 0; i < n; i++)
        {
            gradient[i] = scale * Math.Abs(column[i]);
        }

        var sign = step is { } h2 ? Math.Sign(1 + h2 * bestSlope * a[bestColumn, bestColumn]) : 1;
        gradient[bestColumn] = scale * sign * a[bestColumn, bestColumn];
        return new ClosedFormWorstCase(step is { } h3 ? StableMath.Log1P(best) / h3 : best, slopes, gradient);
    }

    /// <summary>
    /// |1 + t| + o − 1 for the diagonal term t = h·d·a_ii and the off-diagonal sum o = h·Σ d|a_ij|, without the
    /// cancellation of forming |1 + t| + o first: for small h the excess is all that carries information.
    /// </summary>
    private static double NormExcess(double t, double o) => 1.0 + t >= 0 ? t + o : -2.0 - t + o;

    private static double OffDiagonalAbsSum(ReadOnlySpan<double> line, int skip)
    {
        var sum = 0.0;
        for (var k = 0; k < line.Length; k++)
        {
            sum += k == skip ? 0.0 : Math.Abs(line[k]);
        }

        return sum;
    }
}
