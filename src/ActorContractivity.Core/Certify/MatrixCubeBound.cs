using System.Numerics.Tensors;
using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Certify;

/// <summary>
/// The certified upper bound on the worst case of one layer over a box of slopes (DESIGN §1.5, a matrix cube with
/// rank-two pieces). Write Sym(DA) = Σ_i d_i S_i with S_i = (e_i a_iᵀ + a_i e_iᵀ)/2 (a_i: row i of A) and let each
/// slope be d_i = c_i + δ_i with |δ_i| ≤ r_i (r_i = 0 for slopes fixed at c_i). For any λ_i &gt; 0,
/// ±(pqᵀ + qpᵀ) ⪯ λ ppᵀ + λ⁻¹ qqᵀ gives δ_i S_i ⪯ ½ r_i (λ_i e_i e_iᵀ + λ_i⁻¹ a_i a_iᵀ),
/// so for every D in the box
///
///     Sym(DA) ⪯ M(λ) := Sym(CA) + ½ R Λ + ½ Aᵀ R Λ⁻¹ A,     U(λ) := λ_max(M(λ)) ≥ max_D μ₂(DA).
///
/// U is convex in s = log λ, with ∂U/∂s_i = ½ r_i (λ_i v_i² − (a_iᵀ v)² / λ_i) at the top eigenvector v.
/// A product with M(λ) costs one product with A and one with Aᵀ:
/// M x = ½ C(Ax) + ½ Aᵀ(Cx + RΛ⁻¹(Ax)) + ½ RΛ x.
/// </summary>
public sealed class MatrixCubeBound
{
    private readonly Matrix _a;
    private readonly double[] _center;
    private readonly double[] _radius;
    private readonly double[] _work;
    private readonly double[] _work2;

    /// <summary>Creates the bound for the square layer A and the box of slopes center ± radius.</summary>
    public MatrixCubeBound(Matrix a, double[] center, double[] radius)
    {
        if (!a.IsSquare || center.Length != a.Rows || radius.Length != a.Rows)
        {
            throw new ArgumentException("the matrix cube bound needs a square layer and one slope range per row");
        }

        _a = a;
        _center = center;
        _radius = radius;
        _work = new double[a.Rows];
        _work2 = new double[a.Rows];
    }

    /// <summary>The box [lower, upper]^n: every slope free around the midpoint.</summary>
    public static MatrixCubeBound ForBox(Matrix a, double lower, double upper)
    {
        var (center, radius) = Cover(lower, upper);
        return new(a, Enumerable.Repeat(center, a.Rows).ToArray(), Enumerable.Repeat(radius, a.Rows).ToArray());
    }

    /// <summary>
    /// A midpoint and a radius whose interval contains [lower, upper] also after rounding: the radius is nudged
    /// up so that the floating-point box is never smaller than the one certified.
    /// </summary>
    public static (double Center, double Radius) Cover(double lower, double upper)
    {
        var center = 0.5 * (lower + upper);
        var radius = Math.Max(center - lower, upper - center);
        return (center, Math.BitIncrement(Math.BitIncrement(radius)));
    }

    /// <summary>The dimension n.</summary>
    public int Dimension => _a.Rows;

    /// <summary>
    /// The starting multipliers λ_i = ‖a_i‖₂, which balance the two rank-one terms for a flat v.
    /// </summary>
    public double[] InitialMultipliers()
    {
        var lambda = new double[Dimension];
        for (var i = 0; i < lambda.Length; i++)
        {
            var norm = TensorPrimitives.Norm(_a.Row(i));
            lambda[i] = norm > 0 ? norm : 1.0;
        }

        return lambda;
    }

    /// <summary>U(λ) estimated by Lanczos, its top eigenvector and ∂U/∂log λ.</summary>
    public (double Value, double[] Vector, double[] Gradient, double Residual) Evaluate(
        double[] lambda, ReadOnlySpan<double> warmStart, LanczosOptions options, Random random)
    {
        var pair = Lanczos.Largest(new Operator(this, lambda), warmStart, options, random);
        var v = pair.Vector;
        var av = new double[v.Length];
        _a.Multiply(v, av);
        var gradient = new double[v.Length];
        for (var i = 0; i < v.Length; i++)
        {
            gradient[i] = 0.5 * _radius[i] * (lambda[i] * v[i] * v[i] - av[i] * av[i] / lambda[i]);
        }

        return (pair.Value, v, gradient, pair.Residual);
    }

    /// <summary>Largest dimension minimised on the dense smoothed objective; larger ones use Lanczos.</summary>
    public const int DenseSmoothingLimit = 160;

    /// <summary>
    /// Minimises U over λ &gt; 0 and returns the best λ found with its U. Every λ gives a valid bound, so stopping
    /// early (for instance as soon as U ≤ <paramref name="target"/>) only loosens it. Up to
    /// <see cref="DenseSmoothingLimit"/> the minimisation runs on the smoothed objective of
    /// <see cref="MinimiseSmoothed"/>; above it, L-BFGS runs on U itself with Lanczos eigenpairs.
    /// Once <paramref name="deadline"/> has passed the minimisation stops with the best λ found so far.
    /// </summary>
    public (double Value, double[] Lambda) Minimise(
        double[]? start, LanczosOptions options, Random random, int maxIterations = 60,
        double target = double.NegativeInfinity, Deadline deadline = default) =>
        Dimension <= DenseSmoothingLimit
            ? MinimiseSmoothed(start, target, deadline)
            : MinimiseLanczos(start, options, random, maxIterations, target, deadline);

    /// <summary>
    /// U is the largest eigenvalue of M(λ) and is not differentiable where that eigenvalue is multiple — which is
    /// where its minimum usually lies, so descent on U itself stalls early. This minimises instead the soft
    /// maximum f_τ(s) = τ log Σ_q exp(μ_q(M)/τ) over all eigenvalues μ_q of the dense M(λ), s = log λ: smooth
    /// and convex, with U ≤ f_τ ≤ U + τ log n and
    /// ∂f_τ/∂s_i = Σ_q p_q ½ r_i (λ_i v_qi² − (a_iᵀ v_q)²/λ_i), p the soft-max weights. τ shrinks
    /// geometrically from a hundredth of the spectrum's scale; each stage is an L-BFGS run warm started from the
    /// previous one. The λ with the smallest true U seen is returned, also when
    /// <paramref name="deadline"/> passes (it is checked before every eigendecomposition after the first).
    /// </summary>
    public (double Value, double[] Lambda) MinimiseSmoothed(
        double[]? start, double target = double.NegativeInfinity, Deadline deadline = default)
    {
        var n = Dimension;
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => _a[i, j]);
        var sym = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(
            n, n, (i, j) => 0.5 * (_center[i] * _a[i, j] + _center[j] * _a[j, i]));
        var s = (start ?? InitialMultipliers()).Select(v => Math.Log(v)).ToArray();
        var home = InitialMultipliers().Select(v => Math.Log(v)).ToArray();
        var bestValue = double.PositiveInfinity;
        var bestS = (double[])s.Clone();

        (double Smooth, double Top, double[] Gradient) Evaluate(double[] point, double tau)
        {
            var lambda = point.Select(Math.Exp).ToArray();
            var weighted = a.Clone();
            for (var i = 0; i < n; i++)
            {
                weighted.SetRow(i, weighted.Row(i) * Math.Sqrt(0.5 * _radius[i] / lambda[i]));
            }

            var m = sym + weighted.TransposeThisAndMultiply(weighted);
            for (var i = 0; i < n; i++)
            {
                m[i, i] += 0.5 * _radius[i] * lambda[i];
            }

            var evd = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
            var values = evd.EigenValues.Select(z => z.Real).ToArray();
            var top = values.Max();
            if (!double.IsFinite(top))
            {
                return (double.NaN, double.NaN, new double[n]);
            }

            if (top < bestValue)
            {
                (bestValue, bestS) = (top, (double[])point.Clone());
            }

            var weights = values.Select(v => Math.Exp((v - top) / tau)).ToArray();
            var total = weights.Sum();
            var gradient = new double[n];
            var vectors = evd.EigenVectors;
            var av = a * vectors;
            for (var q = 0; q < n; q++)
            {
                var p = weights[q] / total;
                if (p < 1e-16)
                {
                    continue;
                }

                for (var i = 0; i < n; i++)
                {
                    var v = vectors[i, q];
                    gradient[i] += p * 0.5 * _radius[i] * (lambda[i] * v * v - av[i, q] * av[i, q] / lambda[i]);
                }
            }

            return (top + tau * Math.Log(total), top, gradient);
        }

        var first = Evaluate(s, 1.0);
        if (!double.IsFinite(first.Top) || first.Top <= target)
        {
            return (first.Top, s.Select(Math.Exp).ToArray());
        }

        var scale = Math.Max(Math.Abs(first.Top), 1e-300);
        for (var tau = 1e-2 * scale; tau >= 1e-7 * scale && bestValue > target && !deadline.Passed; tau *= 0.2)
        {
            var current = Evaluate(s, tau);
            var history = new List<(double[] S, double[] Y, double Rho)>();
            for (var iteration = 0; iteration < 40 && bestValue > target && !deadline.Passed; iteration++)
            {
                var direction = Direction(current.Gradient, history);
                var slope = TensorPrimitives.Dot(direction, current.Gradient);
                if (!(slope < 0))
                {
                    history.Clear();
                    direction = current.Gradient.Select(g => -g).ToArray();
                    slope = TensorPrimitives.Dot(direction, current.Gradient);
                    if (!(slope < 0))
                    {
                        break;
                    }
                }

                var longest = Math.Abs(TensorPrimitives.MaxMagnitude(direction));
                var accepted = false;
                for (var step = Math.Min(1.0, MaxLogStep / longest); step > 1e-8 && !deadline.Passed; step *= 0.5)
                {
                    var trialS = new double[n];
                    for (var i = 0; i < n; i++)
                    {
                        trialS[i] = Math.Clamp(
                            s[i] + step * direction[i], home[i] - MaxLogRange, home[i] + MaxLogRange);
                    }

                    var trial = Evaluate(trialS, tau);
                    if (double.IsFinite(trial.Smooth) && trial.Smooth <= current.Smooth + 1e-4 * step * slope)
                    {
                        var sk = new double[n];
                        var yk = new double[n];
                        TensorPrimitives.Subtract(trialS, s, sk);
                        TensorPrimitives.Subtract(trial.Gradient, current.Gradient, yk);
                        var sy = TensorPrimitives.Dot(sk, yk);
                        if (sy > 1e-16 * TensorPrimitives.Norm(sk) * TensorPrimitives.Norm(yk))
                        {
                            history.Add((sk, yk, 1.0 / sy));
                            if (history.Count > 8)
                            {
                                history.RemoveAt(0);
                            }
                        }

                        var gain = current.Smooth - trial.Smooth;
                        (s, current) = (trialS, trial);
                        accepted = true;
                        if (gain <= 1e-3 * tau)
                        {
                            iteration = int.MaxValue - 1;
                        }

                        break;
                    }
                }

                if (!accepted)
                {
                    break;
                }
            }
        }

        return (bestValue, bestS.Select(Math.Exp).ToArray());
    }

    /// <summary>
    /// Minimises U over λ &gt; 0 by L-BFGS on log λ with a backtracking line search, each U and gradient from a
    /// Lanczos eigenpair warm started from the previous one.
    /// </summary>
    public (double Value, double[] Lambda) MinimiseLanczos(
        double[]? start, LanczosOptions options, Random random, int maxIterations = 60,
        double target = double.NegativeInfinity, Deadline deadline = default)
    {
        var n = Dimension;
        var s = (start ?? InitialMultipliers()).Select(v => Math.Log(v)).ToArray();
        var home = InitialMultipliers().Select(v => Math.Log(v)).ToArray();
        var lambda = s.Select(v => Math.Exp(v)).ToArray();
        var (value, vector, gradient, _) = Evaluate(lambda, [], options, random);
        var history = new List<(double[] S, double[] Y, double Rho)>();
        var stalls = 0;
        for (var iteration = 0; iteration < maxIterations && value > target && !deadline.Passed; iteration++)
        {
            var direction = Direction(gradient, history);
            var slope = TensorPrimitives.Dot(direction, gradient);
            if (slope >= 0)
            {
                history.Clear();
                direction = gradient.Select(g => -g).ToArray();
                slope = TensorPrimitives.Dot(direction, gradient);
            }

            if (slope == 0)
            {
                break;
            }

            // A step changes no multiplier by more than a factor e^MaxLogStep, and every multiplier stays within
            // e^±MaxLogRange of its natural scale ‖a_i‖, so M(λ) stays finite whatever the curvature model says.
            var longest = Math.Abs(TensorPrimitives.MaxMagnitude(direction));
            var accepted = false;
            for (var step = Math.Min(1.0, MaxLogStep / longest); step > 1e-6 && !deadline.Passed; step *= 0.5)
            {
                var trialS = new double[n];
                for (var i = 0; i < n; i++)
                {
                    trialS[i] = Math.Clamp(s[i] + step * direction[i], home[i] - MaxLogRange, home[i] + MaxLogRange);
                }

                var trialLambda = trialS.Select(v => Math.Exp(v)).ToArray();
                var trial = Evaluate(trialLambda, vector, options, random);
                if (double.IsFinite(trial.Value) && trial.Value <= value + 1e-4 * step * slope)
                {
                    var sk = new double[n];
                    var yk = new double[n];
                    TensorPrimitives.Subtract(trialS, s, sk);
                    TensorPrimitives.Subtract(trial.Gradient, gradient, yk);
                    var sy = TensorPrimitives.Dot(sk, yk);
                    if (sy > 1e-16 * TensorPrimitives.Norm(sk) * TensorPrimitives.Norm(yk))
                    {
                        history.Add((sk, yk, 1.0 / sy));
                        if (history.Count > 8)
                        {
                            history.RemoveAt(0);
                        }
                    }

                    stalls = value - trial.Value <= 1e-10 * Math.Max(1.0, Math.Abs(value)) ? stalls + 1 : 0;
                    (value, vector, gradient, s, lambda) =
                        (trial.Value, trial.Vector, trial.Gradient, trialS, trialLambda);
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                // U is not smooth where λ_max is multiple; restart from steepest descent once, then stop.
                if (history.Count == 0)
                {
                    break;
                }

                history.Clear();
            }

            if (stalls >= 3)
            {
                break;
            }
        }

        return (value, lambda);
    }

    private const double MaxLogStep = 4;
    private const double MaxLogRange = 40;

    /// <summary>L-BFGS two-loop recursion: an approximation of −H⁻¹ g.</summary>
    private static double[] Direction(double[] gradient, List<(double[] S, double[] Y, double Rho)> history)
    {
        var q = (double[])gradient.Clone();
        var alphas = new double[history.Count];
        for (var k = history.Count - 1; k >= 0; k--)
        {
            alphas[k] = history[k].Rho * TensorPrimitives.Dot(history[k].S, q);
            TensorPrimitives.MultiplyAdd(history[k].Y, -alphas[k], q, q);
        }

        if (history.Count > 0)
        {
            var (sLast, yLast, _) = history[^1];
            TensorPrimitives.Multiply(q, TensorPrimitives.Dot(sLast, yLast) / TensorPrimitives.Dot(yLast, yLast), q);
        }

        for (var k = 0; k < history.Count; k++)
        {
            var beta = history[k].Rho * TensorPrimitives.Dot(history[k].Y, q);
            TensorPrimitives.MultiplyAdd(history[k].S, alphas[k] - beta, q, q);
        }

        TensorPrimitives.Negate(q, q);
        return q;
    }

    /// <summary>
    /// A rigorous check that λ_max(M(λ)) &lt; t in floating point. M(λ) is formed densely (O(n³)) as M̃ with
    /// entrywise error at most γ · |M|, bounded in the 2-norm by γ times the largest row sum of |M|, which is
    /// computable in O(n²) without forming |A|ᵀ|A|. Then a Cholesky factorisation of H = (t − δ)I − M̃ is
    /// attempted; if it succeeds, H + ΔH = R̂ᵀR̂ with ‖ΔH‖₂ ≤ γ_{n+1} trace(R̂ᵀR̂) (Demmel), so H is
    /// positive definite once δ covers both errors. Success proves the bound; failure proves nothing.
    /// </summary>
    public bool ProvesBelow(double[] lambda, double t)
    {
        var n = Dimension;
        if (!double.IsFinite(t) || lambda.Any(l => !(l > 0) || !double.IsFinite(l)))
        {
            return false;
        }

        var m = new double[n * n];
        var weight = new double[n];
        for (var k = 0; k < n; k++)
        {
            weight[k] = 0.5 * _radius[k] / lambda[k];
        }

        for (var i = 0; i < n; i++)
        {
            var row = m.AsSpan(i * n, n);
            for (var j = 0; j < n; j++)
            {
                row[j] = 0.5 * (_center[i] * _a[i, j] + _center[j] * _a[j, i]);
            }

            row[i] += 0.5 * _radius[i] * lambda[i];
        }

        for (var k = 0; k < n; k++)
        {
            if (weight[k] == 0)
            {
                continue;
            }

            var ak = _a.Row(k);
            for (var i = 0; i < n; i++)
            {
                var scale = weight[k] * ak[i];
                if (scale != 0)
                {
                    TensorPrimitives.MultiplyAdd(ak, scale, m.AsSpan(i * n, n), m.AsSpan(i * n, n));
                }
            }
        }

        var eps = Math.Pow(2, -53);
        double Gamma(int k) => k * eps / (1 - k * eps);
        var absRowSums = new double[n];
        var rowOneNorms = new double[n];
        for (var k = 0; k < n; k++)
        {
            rowOneNorms[k] = TensorPrimitives.SumOfMagnitudes(_a.Row(k));
        }

        var largestRowSum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var sum = 0.5 * Math.Abs(_center[i]) * rowOneNorms[i] + 0.5 * _radius[i] * lambda[i];
            for (var k = 0; k < n; k++)
            {
                var aki = Math.Abs(_a[k, i]);
                sum += aki * (0.5 * Math.Abs(_center[k]) + weight[k] * rowOneNorms[k]);
            }

            absRowSums[i] = sum;
            largestRowSum = Math.Max(largestRowSum, sum);
        }

        var formingError = Gamma(n + 4) * largestRowSum;
        var traceM = 0.0;
        for (var i = 0; i < n; i++)
        {
            traceM += m[i * n + i];
        }

        // trace(H) ≤ n(t − δ) − trace(M̃); bounding it by n|t| + Σ|M̃_ii| keeps δ independent of itself.
        var traceBound = n * Math.Abs(t) + absRowSums.Sum() + Math.Abs(traceM);
        var delta = 1.01 * (Gamma(n + 1) * 1.01 * traceBound + formingError) + 4 * eps * Math.Abs(t);
        var shift = t - delta;
        if (!double.IsFinite(shift) || !double.IsFinite(traceM))
        {
            // Entries beyond the doubles: the error terms say nothing, so nothing is proven.
            return false;
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i * n + j] = -m[i * n + j];
            }

            m[i * n + i] += shift;
        }

        return CholeskySucceeds(m, n);
    }

    /// <summary>In-place Cholesky of row-major symmetric H; true when every pivot is positive.</summary>
    private static bool CholeskySucceeds(double[] h, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var rowJ = h.AsSpan(j * n, j);
            var pivot = h[j * n + j] - TensorPrimitives.Dot(rowJ, rowJ);
            if (!(pivot > 0))
            {
                return false;
            }

            var root = Math.Sqrt(pivot);
            h[j * n + j] = root;
            for (var i = j + 1; i < n; i++)
            {
                var rowI = h.AsSpan(i * n, j);
                h[i * n + j] = (h[i * n + j] - TensorPrimitives.Dot(rowI, rowJ)) / root;
            }
        }

        return true;
    }

    /// <summary>M(λ) as an operator.</summary>
    private sealed class Operator(MatrixCubeBound bound, double[] lambda) : ISymmetricOperator
    {
        public int Dimension => bound.Dimension;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            var ax = bound._work;
            var w = bound._work2;
            bound._a.Multiply(x, ax);
            for (var i = 0; i < ax.Length; i++)
            {
                w[i] = bound._center[i] * x[i] + bound._radius[i] / lambda[i] * ax[i];
            }

            bound._a.MultiplyTransposed(w, y);
            for (var i = 0; i < ax.Length; i++)
            {
                y[i] = 0.5 * (y[i] + bound._center[i] * ax[i] + bound._radius[i] * lambda[i] * x[i]);
            }
        }
    }
}
