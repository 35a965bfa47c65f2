using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Norms;

namespace ActorContractivity.Core.Outer;

/// <summary>How well an answer is established.</summary>
public enum CertificateStatus
{
    /// <summary>The worst case was computed exactly (enumeration or closed form) at every step.</summary>
    Exact,

    /// <summary>The tuned end is known to lie between a witness value and a certified-safe value.</summary>
    Bracket,

    /// <summary>Only a witness (a lower bound on the worst case) backs the answer.</summary>
    Estimate,
}

/// <summary>One outer iteration: φ and dφ/dθ at the tuned end θ, and how θ was chosen.</summary>
public sealed record OuterStep(double Theta, double Phi, double Derivative, string Rule);

/// <summary>The answer to an <see cref="IntervalQuestion"/>.</summary>
/// <param name="Question">The question.</param>
/// <param name="Feasible">False when even D = fixed·I breaks μ ≤ c, so no interval exists.</param>
/// <param name="Lower">ℓ of the reported interval (null when infeasible).</param>
/// <param name="Upper">u of the reported interval (null when infeasible).</param>
/// <param name="Status">How well the tuned end is established.</param>
/// <param name="BracketLow">The witness end of the bracket of the tuned end.</param>
/// <param name="BracketHigh">The certified-safe end of the bracket (equal to the witness end until certified).</param>
/// <param name="ReachedLimit">True when the whole search range satisfies the bound (ℓ* = 0, or u* at the limit).</param>
/// <param name="ValueAtFixed">φ at D = fixed·I (μ of fixed·J).</param>
/// <param name="Witness">The worst case found for the reported interval (for infeasible models: D = fixed·I).</param>
/// <param name="Steps">The outer iterations.</param>
/// <param name="Method">How the worst case was found.</param>
/// <param name="Counts">Work spent.</param>
/// <param name="Certificate">The proven safe end, when the bound proved one.</param>
public sealed record IntervalAnswer(
    IntervalQuestion Question,
    bool Feasible,
    double? Lower,
    double? Upper,
    CertificateStatus Status,
    double? BracketLow,
    double? BracketHigh,
    bool ReachedLimit,
    double ValueAtFixed,
    WorstCase Witness,
    IReadOnlyList<OuterStep> Steps,
    string Method,
    WorkCounts Counts,
    SafeEndCertificate? Certificate = null);

/// <summary>How the answer is certified beyond the witness.</summary>
public enum CertifyMode
{
    /// <summary>Enumeration where small; otherwise the matrix cube bound where it applies.</summary>
    Auto,

    /// <summary>The matrix cube bound wherever it applies (enumeration still answers small samples exactly).</summary>
    Bound,

    /// <summary>Witness only: no bound is computed.</summary>
    Off,
}

/// <summary>
/// Outer level (DESIGN §1.3): solve φ(θ) = c for the tuned end θ. φ is monotone in θ (the boxes nest) and, as a
/// maximum of functions convex along each vertex pattern, convex; Newton from the side where φ &gt; c therefore
/// approaches the root without overshooting. A bracket [unsafe, safe] is kept throughout and Newton falls back to
/// bisection whenever it leaves the bracket or stops halving it, so inexact inner solves cannot derail it.
/// </summary>
public static class IntervalSolver
{
    /// <summary>Answers the question for the model.</summary>
    /// <exception cref="ArgumentException">The question is invalid, or μ₁/μ∞ is asked of a multilayer model.</exception>
    public static IntervalAnswer Solve(
        NeuralOdeModel model, IntervalQuestion question, InnerOptions inner, CertifyMode certify = CertifyMode.Auto)
    {
        if (question.Validate() is { } problem)
        {
            throw new ArgumentException($"{problem.Option}: {problem.Problem}");
        }

        if (ScaleProblem(model, question) is { } scale)
        {
            throw new ArgumentException(scale);
        }

        var answer = Solve(CreateOracle(model, question, inner), question);
        return certify == CertifyMode.Off ? answer : Certify(model, answer, inner);
    }

    /// <summary>
    /// Adds the bound's proof to an estimated answer: the tuned end becomes the proven safe end and the bracket
    /// [witness end, safe end] says how far the proof is from the witness. Both agreeing within the tolerance makes
    /// the answer exact.
    /// </summary>
    public static IntervalAnswer Certify(NeuralOdeModel model, IntervalAnswer answer, InnerOptions inner)
    {
        var question = answer.Question;
        if (!answer.Feasible || answer.Status == CertificateStatus.Exact || !BoundCertifier.Applies(model, question))
        {
            return answer;
        }

        var witnessEnd = answer.BracketLow!.Value;
        var certificate = BoundCertifier.Find(model, question, witnessEnd, inner.Lanczos, inner.Seed);
        if (certificate is null)
        {
            return answer;
        }

        var (lower, upper) = question.Box(certificate.SafeEnd);
        var agree = Math.Abs(certificate.SafeEnd - witnessEnd) <= question.Tolerance;
        return answer with
        {
            Lower = lower,
            Upper = upper,
            BracketHigh = certificate.SafeEnd,
            Status = agree ? CertificateStatus.Exact : CertificateStatus.Bracket,
            Certificate = certificate,
        };
    }

    /// <summary>
    /// Decimal exponent bounding ∏_j max|A_j| · θ^k on either side for the flow (θ the largest slope): squares
    /// of such numbers, formed inside the eigen-solvers, then stay far from overflow and underflow.
    /// </summary>
    public const int FlowScaleExponent = 75;

    /// <summary>The same bound for h · ∏_j max|A_j| · θ^k of the discrete step, whose Gram matrix squares it.</summary>
    public const int StepScaleExponent = 50;

    /// <summary>
    /// Says why the model's scale is outside what the solvers compute with, or returns null. Samples whose
    /// weights are all zero are exempt (their Jacobian is zero whatever the slopes).
    /// </summary>
    public static string? ScaleProblem(NeuralOdeModel model, IntervalQuestion question)
    {
        var slope = Math.Max(question.Fixed, question.FarEnd);
        var limit = question.DiscreteStep is null ? FlowScaleExponent : StepScaleExponent;
        for (var s = 0; s < model.Samples.Count; s++)
        {
            var logScale = question.DiscreteStep is { } h ? Math.Log10(h) : 0.0;
            var zero = false;
            foreach (var layer in model.Samples[s].Layers)
            {
                var largest = 0.0;
                foreach (var v in layer.RowMajorValues)
                {
                    largest = Math.Max(largest, Math.Abs(v));
                }

                zero |= largest == 0;
                logScale += Math.Log10(largest) + Math.Log10(slope);
            }

            if (!zero && (slope == 0 || Math.Abs(logScale) > limit))
            {
                var factors = question.DiscreteStep is null ? "weights × slopes" : "weights × slopes × step";
                return $"{factors} reach 1e{logScale:F0} in sample {s}, outside 1e-{limit} … 1e{limit}, the range "
                    + "this tool computes in; rescale the weights, --fixed / --limit"
                    + (question.DiscreteStep is null ? "" : " or --discrete")
                    + " (with c = 0 only their product matters)";
            }
        }

        return null;
    }

    /// <summary>The oracle for the question's norm: the inner solver for μ₂, closed forms for μ₁ and μ∞.</summary>
    public static IWorstCaseOracle CreateOracle(NeuralOdeModel model, IntervalQuestion question, InnerOptions inner)
    {
        if (question.Norm == LogNormKind.Two)
        {
            return new InnerSolverOracle(model, question.DiscreteStep, inner);
        }

        var multilayer = model.Samples.Select((s, i) => (s, i)).FirstOrDefault(p => p.s.Layers.Count > 1);
        if (multilayer.s is not null)
        {
            throw new ArgumentException(
                $"--norm: μ₁ and μ∞ are supported for one-layer models only; sample {multilayer.i} has "
                + $"{multilayer.s.Layers.Count} layers (use --norm 2)");
        }

        return new ClosedFormOracle(model, question.Norm, question.DiscreteStep);
    }

    /// <summary>Answers the question with a given oracle.</summary>
    public static IntervalAnswer Solve(IWorstCaseOracle oracle, IntervalQuestion question)
    {
        var c = question.C;
        var steps = new List<OuterStep>();
        var fixedEnd = question.Fixed;
        var atFixed = oracle.Evaluate(fixedEnd, fixedEnd);
        if (atFixed.Value > c || double.IsNaN(atFixed.Value))
        {
            return Answer(oracle, question, false, null, atFixed, atFixed, steps, false, exact: true);
        }

        var far = question.FarEnd;
        var (farLower, farUpper) = question.Box(far);
        var atFar = oracle.Evaluate(farLower, farUpper);
        steps.Add(new OuterStep(far, atFar.Value, atFar.DerivativeAt(far), "far end"));
        var exact = atFar.Exact;
        if (atFar.Value <= c)
        {
            return Answer(oracle, question, true, far, atFixed, atFar, steps, true, exact);
        }

        var unsafeEnd = far;
        var safeEnd = fixedEnd;
        var safeWitness = atFixed;
        var theta = far;
        var current = atFar;
        var widthTwoStepsAgo = double.PositiveInfinity;
        var widthOneStepAgo = Math.Abs(safeEnd - unsafeEnd);
        var previousMismatch = double.PositiveInfinity;
        var stalls = 0;
        for (var iteration = 0; iteration < 200 && Math.Abs(safeEnd - unsafeEnd) > question.Tolerance; iteration++)
        {
            // Newton keeps the lead while it either halves the bracket or halves |φ − c|. A single stall is
            // forgiven: an inexact inner solve that finds a worse pattern at the new θ raises φ once without
            // Newton being wrong, and a bisection step there would throw away its fast approach.
            var mismatch = Math.Abs(current.Value - c);
            var progressing = widthOneStepAgo <= 0.5 * widthTwoStepsAgo || mismatch <= 0.5 * previousMismatch;
            stalls = progressing ? 0 : stalls + 1;
            var (next, rule) = NextTheta(theta, current, c, unsafeEnd, safeEnd, question.Tolerance, stalls < 2);
            previousMismatch = mismatch;
            var (lower, upper) = question.Box(next);
            var evaluation = oracle.Evaluate(lower, upper);
            exact &= evaluation.Exact;
            steps.Add(new OuterStep(next, evaluation.Value, evaluation.DerivativeAt(next), rule));
            if (evaluation.Value > c)
            {
                unsafeEnd = next;
            }
            else
            {
                safeEnd = next;
                safeWitness = evaluation;
            }

            theta = next;
            current = evaluation;
            widthTwoStepsAgo = widthOneStepAgo;
            widthOneStepAgo = Math.Abs(safeEnd - unsafeEnd);
        }

        return Answer(oracle, question, true, safeEnd, atFixed, safeWitness, steps, false, exact);
    }

    /// <summary>
    /// A Newton step from θ when it lands strictly inside the bracket and Newton has been making progress;
    /// bisection otherwise. A step shorter than half the tolerance is lengthened to it so the bracket closes.
    /// </summary>
    private static (double Theta, string Rule) NextTheta(
        double theta, WorstCase current, double c, double unsafeEnd, double safeEnd, double tolerance,
        bool progressing)
    {
        var midpoint = 0.5 * (unsafeEnd + safeEnd);
        if (!progressing)
        {
            return (midpoint, "bisection");
        }

        var derivative = current.DerivativeAt(theta);
        if (derivative == 0 || !double.IsFinite(derivative))
        {
            return (midpoint, "bisection");
        }

        var newton = theta - (current.Value - c) / derivative;
        var towardSafe = Math.Sign(safeEnd - unsafeEnd);
        var minimumStep = 0.5 * tolerance;
        if (Math.Abs(newton - theta) < minimumStep)
        {
            newton = theta + (current.Value > c ? towardSafe : -towardSafe) * minimumStep;
        }

        var inside = Math.Min(unsafeEnd, safeEnd) < newton && newton < Math.Max(unsafeEnd, safeEnd);
        return inside ? (newton, "newton") : (midpoint, "bisection");
    }

    private static IntervalAnswer Answer(
        IWorstCaseOracle oracle,
        IntervalQuestion question,
        bool feasible,
        double? tuned,
        WorstCase atFixed,
        WorstCase witness,
        IReadOnlyList<OuterStep> steps,
        bool reachedLimit,
        bool exact)
    {
        double? lower = null;
        double? upper = null;
        if (tuned is { } t)
        {
            (lower, upper) = question.Box(t);
        }

        return new IntervalAnswer(
            question,
            feasible,
            lower,
            upper,
            exact ? CertificateStatus.Exact : CertificateStatus.Estimate,
            tuned,
            tuned,
            reachedLimit,
            atFixed.Value,
            witness,
            steps,
            oracle.Method,
            oracle.Counts);
    }
}
