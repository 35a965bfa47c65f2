namespace ActorContractivity.Core.Eigen;

/// <summary>
/// Largest eigenvalue of a small dense symmetric matrix without allocation: Householder reduction to
/// tridiagonal form, then Sturm-sequence bisection. Bisection converges to the largest eigenvalue of the
/// tridiagonal matrix to within a few ulps of its norm regardless of eigenvalue clustering, which is what
/// an exhaustive search over vertices needs (it compares millions of such values).
/// </summary>
public static class DenseSymmetric
{
    /// <summary>
    /// λ_max of the symmetric n×n matrix stored row-major in <paramref name="a"/> (only the lower triangle is
    /// read). <paramref name="a"/> is overwritten; <paramref name="work"/> needs 2n entries.
    /// </summary>
    public static double LargestEigenvalue(Span<double> a, int n, Span<double> work)
    {
        var d = work[..n];
        var e = work.Slice(n, n);
        Tridiagonalize(a, n, d, e);
        return LargestTridiagonalEigenvalue(d, e, n);
    }

    /// <summary>
    /// True when every eigenvalue of the symmetric matrix (lower triangle of row-major <paramref name="a"/>) is
    /// at most <paramref name="threshold"/>: a Cholesky factorisation of threshold·I − A succeeds. It costs n³/6
    /// multiply-adds and stops at the first non-positive pivot, so an exhaustive search can discard a vertex
    /// that cannot beat the incumbent at an eighth of the cost of computing its eigenvalue.
    /// <paramref name="work"/> needs n² entries; <paramref name="a"/> is left unchanged.
    /// </summary>
    public static bool AllEigenvaluesAtMost(ReadOnlySpan<double> a, int n, double threshold, Span<double> work)
    {
        for (var j = 0; j < n; j++)
        {
            var pivot = threshold - a[j * n + j];
            for (var k = 0; k < j; k++)
            {
                pivot -= work[j * n + k] * work[j * n + k];
            }

            if (!(pivot > 0))
            {
                return false;
            }

            var root = Math.Sqrt(pivot);
            work[j * n + j] = root;
            for (var i = j + 1; i < n; i++)
            {
                var v = -a[i * n + j];
                for (var k = 0; k < j; k++)
                {
                    v -= work[i * n + k] * work[j * n + k];
                }

                work[i * n + j] = v / root;
            }
        }

        return true;
    }

    /// <summary>
    /// Householder reduction of a symmetric matrix (lower triangle of row-major <paramref name="a"/>) to
    /// tridiagonal form: diagonal in d, sub-diagonal in e[1..n−1] (e[0] = 0). Eigenvalues only.
    /// </summary>
    internal static void Tridiagonalize(Span<double> a, int n, Span<double> d, Span<double> e)
    {
        for (var i = n - 1; i > 0; i--)
        {
            var l = i - 1;
            var h = 0.0;
            if (l > 0)
            {
                var scale = 0.0;
                for (var k = 0; k <= l; k++)
                {
                    scale += Math.Abs(a[i * n + k]);
                }

                if (scale == 0.0)
                {
                    e[i] = a[i * n + l];
                }
                else
                {
                    for (var k = 0; k <= l; k++)
                    {
                        a[i * n + k] /= scale;
                        h += a[i * n + k] * a[i * n + k];
                    }

                    var f = a[i * n + l];
                    var g = f >= 0.0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    a[i * n + l] = f - g;
                    f = 0.0;
                    for (var j = 0; j <= l; j++)
                    {
                        g = 0.0;
                        for (var k = 0; k <= j; k++)
                        {
                            g += a[j * n + k] * a[i * n + k];
                        }

                        for (var k = j + 1; k <= l; k++)
                        {
                            g += a[k * n + j] * a[i * n + k];
                        }

                        e[j] = g / h;
                        f += e[j] * a[i * n + j];
                    }

                    var hh = f / (h + h);
                    for (var j = 0; j <= l; j++)
                    {
                        f = a[i * n + j];
                        e[j] = g = e[j] - hh * f;
                        for (var k = 0; k <= j; k++)
                        {
                            a[j * n + k] -= f * e[k] + g * a[i * n + k];
                        }
                    }
                }
            }
            else
            {
                e[i] = a[i * n + l];
            }

            d[i] = h;
        }

        for (var i = 0; i < n; i++)
        {
            d[i] = a[i * n + i];
        }

        e[0] = 0.0;
    }

    /// <summary>Largest eigenvalue of the tridiagonal matrix (d, e) by bisection on the Sturm count.</summary>
    internal static double LargestTridiagonalEigenvalue(ReadOnlySpan<double> d, ReadOnlySpan<double> e, int n)
    {
        // Gershgorin interval; every eigenvalue lies in [lo, hi].
        var lo = double.PositiveInfinity;
        var hi = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            var r = (i > 0 ? Math.Abs(e[i]) : 0.0) + (i + 1 < n ? Math.Abs(e[i + 1]) : 0.0);
            lo = Math.Min(lo, d[i] - r);
            hi = Math.Max(hi, d[i] + r);
        }

        var norm = Math.Max(Math.Abs(lo), Math.Abs(hi));
        if (norm == 0.0)
        {
            return 0.0;
        }

        var pivotFloor = Math.Max(1e-300, norm * 1e-290);
        while (hi - lo > 2 * double.Epsilon + 4e-16 * norm)
        {
            var mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            if (CountAbove(d, e, n, mid, pivotFloor) > 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    /// <summary>Number of eigenvalues strictly greater than x (Sturm sequence of the LDLᵀ pivots).</summary>
    private static int CountAbove(ReadOnlySpan<double> d, ReadOnlySpan<double> e, int n, double x, double floor)
    {
        var countBelowOrEqual = 0;
        var q = 1.0;
        for (var i = 0; i < n; i++)
        {
            var off = i > 0 ? e[i] * e[i] / q : 0.0;
            q = d[i] - x - off;
            if (Math.Abs(q) < floor)
            {
                q = -floor;
            }

            if (q < 0)
            {
                countBelowOrEqual++;
            }
        }

        return n - countBelowOrEqual;
    }
}
