using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Outer;

/// <summary>
/// Brings a flow question to unit scale. The solvers decide with absolute margins (eigen-solver tolerances, the
/// bound's proof margin, polish thresholds) that are right for log-norms of order one; a model whose weights are
/// 1e-10 or 1e10 would otherwise be decided by rounding noise, and slopes of 1e308 would overflow every product.
/// Since μ(αM) = α μ(M) for α &gt; 0, φ_J(θ) ≤ c ⇔ φ_{J/S}(θ) ≤ c/S: dividing the first layer of every
/// sample by 2^q and c by S asks the same question. When every sample has the same number k of layers, the slopes
/// are brought to unit scale as well: D·J with D = 2^p D′ is 2^{kp} D′·J, so the box [ℓ, u] becomes
/// [ℓ, u]/2^p and S = 2^{kp+q}. Every log-norm of the answer is S times the scaled one and every slope 2^p times.
/// Both are powers of two, so the scaling is exact in floating point; a scaling that would not be exact (weights, c
/// or the slope range pushed into subnormal numbers or overflow) is not made, and
/// <see cref="IntervalSolver.ScaleProblem"/> then refuses the question as outside the range the solvers compute in.
/// Models within a factor <see cref="DeadZone"/> of unit scale are left untouched (S = 1), so their answers do not
/// change by a bit. The discrete step needs nothing: ‖I + hDJ‖ is already relative to 1.
/// </summary>
public sealed class ProblemScale
{
    /// <summary>Models whose scale lies within [1/DeadZone, DeadZone] are not rescaled.</summary>
    public const double DeadZone = 256;

    /// <summary>
    /// The finest tolerance on the scaled tuned end: a few units in the last place at unit scale. A tolerance below
    /// it could not be met by any bisection in floating point.
    /// </summary>
    public const double FinestScaledTolerance = 1e-15;

    private readonly int _weightExponent;

    private ProblemScale(
        NeuralOdeModel model, IntervalQuestion question, int slopeExponent, int weightExponent, int exponent,
        IntervalQuestion original)
    {
        _weightExponent = weightExponent;
        Model = model;
        Question = question;
        SlopeExponent = slopeExponent;
        Exponent = exponent;
        Original = original;
    }

    /// <summary>The model at unit scale (the original when <see cref="Exponent"/> is 0).</summary>
    public NeuralOdeModel Model { get; }

    /// <summary>The question at unit scale: c / S, the slope range divided by 2^p.</summary>
    public IntervalQuestion Question { get; }

    /// <summary>p: the original slopes are 2^p times those of <see cref="Question"/>.</summary>
    public int SlopeExponent { get; }

    /// <summary>log₂ S: the original log-norms are 2^this times those of <see cref="Model"/>.</summary>
    public int Exponent { get; }

    /// <summary>S = 2^<see cref="Exponent"/> (0 or ∞ when S itself is beyond a double; the scaling is still
    /// exact, since it is applied exponent by exponent).</summary>
    public double Factor => Math.ScaleB(1.0, Exponent);

    /// <summary>The question as asked.</summary>
    public IntervalQuestion Original { get; }

    /// <summary>
    /// Chooses p = round(log₂ θ_max) (θ_max the largest slope of the search range; 0 when the samples differ in
    /// depth or θ_max is within the dead zone) and q = round(log₂ max_s ∏_j (max|A_j| · θ_max / 2^p)) over the
    /// samples whose weights are not all zero.
    /// </summary>
    public static ProblemScale For(NeuralOdeModel model, IntervalQuestion question)
    {
        var unit = new ProblemScale(model, question, 0, 0, 0, question);
        var slope = Math.Max(question.Fixed, question.FarEnd);
        if (question.DiscreteStep is not null || !double.IsFinite(slope) || !(slope > 0)
            || question.Validate() is not null)
        {
            return unit;
        }

        var dead = Math.Log2(DeadZone);
        var depths = model.Samples.Select(s => s.Layers.Count).Distinct().ToArray();
        var slopeLog = Math.Log2(slope);
        var p = depths.Length == 1 && Math.Abs(slopeLog) > dead ? (int)Math.Round(slopeLog) : 0;
        var logScale = double.NegativeInfinity;
        foreach (var sample in model.Samples)
        {
            var log = 0.0;
            foreach (var layer in sample.Layers)
            {
                var largest = 0.0;
                foreach (var v in layer.RowMajorValues)
                {
                    largest = Math.Max(largest, Math.Abs(v));
                }

                log += Math.Log2(largest) + (slopeLog - p);
            }

            if (double.IsFinite(log))
            {
                logScale = Math.Max(logScale, log);
            }
        }

        var q = double.IsFinite(logScale) && Math.Abs(logScale) > dead ? (int)Math.Round(logScale) : 0;
        if (p == 0 && q == 0)
        {
            return unit;
        }

        var exponent = (p == 0 ? 0 : depths[0] * p) + q;
        var samples = new Sample[model.Samples.Count];
        for (var s = 0; s < samples.Length; s++)
        {
            var layers = model.Samples[s].Layers;
            if (Scale(layers[0], -q) is not { } first)
            {
                return unit;
            }

            samples[s] = new Sample(model.Samples[s].Time, [first, .. layers.Skip(1)]);
        }

        var tolerance = Math.Max(Math.Min(Math.ScaleB(question.Tolerance, -p), question.Tolerance),
            FinestScaledTolerance);
        if (Exact(question.C, -exponent) is not { } c || Exact(question.Fixed, -p) is not { } fixedEnd
            || Exact(question.FarEnd, -p) is not { } farEnd)
        {
            return unit;
        }

        var scaled = question with
        {
            C = c,
            Fixed = fixedEnd,
            Limit = question.Limit is null && p == 0 ? null : farEnd,
            Tolerance = p == 0 ? question.Tolerance : tolerance,
        };
        return new ProblemScale(new NeuralOdeModel(samples), scaled, p, q, exponent, question);
    }

    /// <summary>
    /// The answer to the original question, from the answer at unit scale. Slopes come back exactly (they lie in
    /// the range asked about); a log-norm whose size in the model's units is beyond the doubles comes back as ±∞
    /// (written as null in the report): the decisions were made at unit scale, where it was finite.
    /// </summary>
    /// <exception cref="ArgumentException">A slope of the answer is beyond a double in the model's units.</exception>
    public IntervalAnswer Restore(IntervalAnswer answer)
    {
        if (Exponent == 0 && SlopeExponent == 0)
        {
            return answer;
        }

        var (e, p) = (Exponent, SlopeExponent);
        double Norm(double v) => Math.ScaleB(v, e);
        double Slope(double v) => Representable(v, p);
        double PerSlope(double v) => Math.ScaleB(v, e - p);
        double? Tuned(double? v) => v is { } x ? Slope(x) : null;
        return answer with
        {
            Question = Original,
            Lower = Tuned(answer.Lower),
            Upper = Tuned(answer.Upper),
            BracketLow = Tuned(answer.BracketLow),
            BracketHigh = Tuned(answer.BracketHigh),
            ValueAtFixed = Norm(answer.ValueAtFixed),
            Witness = answer.Witness with
            {
                Value = Norm(answer.Witness.Value),
                Slopes = answer.Witness.Slopes.Select(Slope).ToArray(),
                Gradient = answer.Witness.Gradient.Select(PerSlope).ToArray(),
                Residual = Norm(answer.Witness.Residual),
            },
            Steps = answer.Steps
                .Select(step => step with
                {
                    Theta = Slope(step.Theta), Phi = Norm(step.Phi), Derivative = PerSlope(step.Derivative),
                })
                .ToArray(),
            Certificate = answer.Certificate is { } certificate
                ? certificate with
                {
                    SafeEnd = Slope(certificate.SafeEnd),
                    BoundValue = Norm(certificate.BoundValue),
                    Multipliers = certificate.Multipliers
                        .Select(m => m.Select(l => Math.ScaleB(l, _weightExponent)).ToArray())
                        .ToArray(),
                }
                : null,
        };
    }

    /// <summary>A log-norm of the scaled problem in the original units (progress reports).</summary>
    public double Restore(double logNorm) => Math.ScaleB(logNorm, Exponent);

    /// <summary>x · 2^exponent, refused when that leaves the doubles although x is finite.</summary>
    private static double Representable(double x, int exponent)
    {
        var y = Math.ScaleB(x, exponent);
        if (double.IsFinite(x) && !double.IsFinite(y))
        {
            throw new ArgumentException($"the answer holds a slope of 2^{Math.ILogB(x) + exponent}, beyond the "
                + "largest double; rescale --fixed / --limit");
        }

        return y;
    }

    /// <summary>x · 2^exponent when that is exact (no overflow, no bits lost to subnormals), else null.</summary>
    private static double? Exact(double x, int exponent)
    {
        var y = Math.ScaleB(x, exponent);
        return double.IsFinite(y) && Math.ScaleB(y, -exponent) == x ? y : null;
    }

    private static Matrix? Scale(Matrix a, int exponent)
    {
        var values = a.RowMajorValues.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (Exact(values[i], exponent) is not { } v)
            {
                return null;
            }

            values[i] = v;
        }

        return Matrix.FromRowMajor(a.Rows, a.Cols, values);
    }
}
