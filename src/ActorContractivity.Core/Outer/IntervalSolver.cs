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
/// <param name="ReachedLimit">True when the whole search range satisfies the bound
/// (ℓ* = 0, or u* at the limit).</param>
/// <param name="ValueAtFixed">φ at D = fixed·I (μ of fixed·J).</param>
/// <param name="Witness">The worst case found for the reported interval (for infeasible models: D = fixed·I).</param>
/// <param name="Steps">The outer iterations.</param>
/// <param name="Method">How the worst case was found.</param>
/// <param name="Counts">Work spent.</param>
/// <param name="Certificate">The proven safe end, when the bound proved one.</param>
/// <param name="BranchAndBound">What branch and bound did, when it ran.</param>
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
    SafeEndCertificate? Certificate = null,
    BranchAndBoundSummary? BranchAndBound = null);

/// <summary>How the answer is certified beyond the witness.</summary>
public enum CertifyMode
{
    /// <summary>Enumeration where small, then the bound bracket, then branch and bound in the budget left.</summary>
    Auto,

    /// <summary>Branch and bound wherever it applies, with no time limit unless a budget is given.</summary>
    Exact,

    /// <summary>
    /// The matrix cube bound bracket wherever it applies (enumeration still answers small samples exactly).
    /// </summary>
    Bound,

    /// <summary>Witness only: no bound is computed.</summary>
    Off,
}

/// <summary>How certification is run.</summary>
/// <param name="Mode">Which proofs to try.</param>
/// <param name="BudgetSeconds">Time for certification; null for the mode's default
/// (<see cref="DefaultAutoBudgetSeconds"/> for auto, unlimited otherwise). Where branch and bound runs, the bound
/// bracket runs first and to its end and branch and bound gets what it left; where only the bound runs, the budget
/// cuts its bisection short. The final proof of the bound's safe end (one dense factorisation) is never cut
/// short.</param>
/// <param name="BudgetNodes">Branch-and-bound nodes for certification, over all its decisions; null for no limit.
/// Unlike seconds, nodes give the same answer on every machine and under any load. When only nodes are given, the
/// time is unlimited also for auto.</param>
public sealed record CertifyOptions(
    CertifyMode Mode = CertifyMode.Auto, double? BudgetSeconds = null, long? BudgetNodes = null)
{
    /// <summary>The default certification budget of <see cref="CertifyMode.Auto"/>.</summary>
    public const double DefaultAutoBudgetSeconds = 60;

    /// <summary>
    /// In <see cref="CertifyMode.Auto"/>, samples with more slopes than this skip the decision of the witness end:
    /// its tree is far too large for the budget (each node costs a dense O(n³) factorisation), so branch and bound
    /// only steps down from the bound's safe end.
    /// </summary>
    public const int AutoBranchAndBoundLimit = 160;

    /// <summary>
    /// In <see cref="CertifyMode.Auto"/>, samples with more slopes than this skip branch and bound altogether and
    /// get the bound bracket alone, whose bisection the budget then cuts short.
    /// </summary>
    public const int AutoDescentLimit = 400;

    /// <summary>The budget of seconds in effect.</summary>
    public double EffectiveBudget =>
        BudgetSeconds
        ?? (Mode == CertifyMode.Auto && BudgetNodes is null ? DefaultAutoBudgetSeconds : double.PositiveInfinity);

    /// <summary>The budget of nodes in effect (<see cref="long.MaxValue"/>: none).</summary>
    public long EffectiveNodes => BudgetNodes ?? long.MaxValue;
}

/// <summary>What branch and bound did for an answer.</summary>
/// <param name="Decisions">Boxes decided (each: every slope pattern keeps μ ≤ c, or one breaks it).</param>
/// <param name="Nodes">Nodes processed over all decisions.</param>
/// <param name="Complete">True when every decision finished within the budget.</param>
/// <param name="ClosedFraction">Share of the vertex tree closed in the last decision (1 when it finished).</param>
/// <param name="Seconds">Time spent.</param>
/// <param name="Violations">Decisions that found a slope pattern worse than the gradient search's witness.</param>
public sealed record BranchAndBoundSummary(
    int Decisions, long Nodes, bool Complete, double ClosedFraction, double Seconds, int Violations);

/// <summary>
/// Outer level (DESIGN §1.3): solve φ(θ) = c for the tuned end θ. φ is monotone in θ (the boxes nest) and, as a
/// maximum of functions convex along each vertex pattern, convex; Newton from the side where φ &gt; c therefore
/// approaches the root without overshooting. A bracket [unsafe, safe] is kept throughout and Newton falls back to
/// bisection whenever it leaves the bracket or stops halving it, so inexact inner solves cannot derail it.
/// </summary>
public static class IntervalSolver
{
    /// <summary>Answers the question for the model.</summary>
    /// <exception cref="ArgumentException">The question is invalid, or μ₁/μ∞ is asked of a multilayer
    /// model.</exception>
    public static IntervalAnswer Solve(
        NeuralOdeModel model, IntervalQuestion question, InnerOptions inner, CertifyMode certify = CertifyMode.Auto) =>
        Solve(model, question, inner, new CertifyOptions(certify));

    /// <summary>Answers the question for the model, certifying as <paramref name="certify"/> says.</summary>
    /// <exception cref="ArgumentException">The question is invalid, or μ₁/μ∞ is asked of a multilayer
    /// model.</exception>
    public static IntervalAnswer Solve(
        NeuralOdeModel model, IntervalQuestion question, InnerOptions inner, CertifyOptions certify)
    {
        if (question.Validate() is { } invalid)
        {
            throw new ArgumentException($"{invalid.Option}: {invalid.Problem}");
        }

        // The scale is judged after normalisation: a flow at 1e-160 is solved at unit scale, exactly.
        var scale = ProblemScale.For(model, question);
        if (Problem(scale.Model, scale.Question) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var answer = Solve(CreateOracle(scale.Model, scale.Question, inner), scale.Question);
        return scale.Restore(Certify(scale.Model, answer, inner, certify));
    }

    /// <summary>
    /// Adds proofs to an estimated answer. The matrix cube bound, where it applies, first gives the proven safe end
    /// ℓ_safe. Branch and bound then decides boxes exactly in the budget left: it checks the witness end, closes in
    /// from the patterns it finds, and where a box stays undecided steps down from the proven side. The tuned end
    /// reported is always the proven one; the bracket [witness end, safe end] says how far the proof is from the best
    /// pattern found, and both agreeing within the tolerance makes the answer exact. The steps are those of
    /// <see cref="CertifySearch"/>, each decision partitioned as a cluster partitions it
    /// (<see cref="PartitionedDecision"/>), run here one after the other, each on the threads that
    /// <paramref name="inner"/> allows.
    /// </summary>
    public static IntervalAnswer Certify(
        NeuralOdeModel model, IntervalAnswer answer, InnerOptions inner, CertifyOptions certify)
    {
        var question = answer.Question;
        var search = CertifySearch.Start(model, answer, certify);
        while (search.Next is { } next)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            switch (next)
            {
                case DecideStep decide:
                    var decision = PartitionedDecision.Decide(
                        model, question, decide, inner.Seed, inner.MaxDegreeOfParallelism);
                    search = search.Decided(decision, clock.Elapsed.TotalSeconds);
                    break;
                case BoundStep bound:
                    var certificate = BoundCertifier.Find(
                        model, question, bound.WitnessEnd, inner.Lanczos, inner.Seed, bound.Seconds);
                    search = search.Bounded(certificate, clock.Elapsed.TotalSeconds);
                    break;
            }
        }

        return search.Answer!;
    }

    /// <summary>False when <see cref="Certify"/> returns the answer as it is: certification off, no interval, or
    /// an answer already exact.</summary>
    public static bool NeedsCertification(IntervalAnswer answer, CertifyOptions certify) =>
        certify.Mode != CertifyMode.Off && answer.Feasible && answer.Status != CertificateStatus.Exact;

    /// <summary>
    /// Decimal exponent bounding ∏_j max|A_j| · θ^k on either side for the flow (θ the largest slope): squares
    /// of such numbers, formed inside the eigen-solvers, then stay far from overflow and underflow.
    /// </summary>
    public const int FlowScaleExponent = 75;

    /// <summary>
    /// The same bound for h · ∏_j max|A_j| · θ^k of the discrete step, whose Gram matrix squares it.
    /// </summary>
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

    /// <summary>
    /// The oracle for the question's norm: the inner solver for μ₂, closed forms for μ₁ and μ∞.
    /// </summary>
    /// <exception cref="ArgumentException">μ₁ or μ∞ is asked of a multilayer model.</exception>
    public static IWorstCaseOracle CreateOracle(NeuralOdeModel model, IntervalQuestion question, InnerOptions inner)
    {
        if (NormProblem(model, question) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        return new SweepOracle(model, question, inner);
    }

    /// <summary>Says why the question's norm does not apply to the model, or returns null.</summary>
    public static string? NormProblem(NeuralOdeModel model, IntervalQuestion question)
    {
        var multilayer = model.Samples.Select((s, i) => (s, i)).FirstOrDefault(p => p.s.Layers.Count > 1);
        if (question.Norm == LogNormKind.Two || multilayer.s is null)
        {
            return null;
        }

        return $"--norm: μ₁ and μ∞ are supported for one-layer models only; sample {multilayer.i} has "
            + $"{multilayer.s.Layers.Count} layers (use --norm 2)";
    }

    /// <summary>
    /// Says why the question cannot be asked of the model (invalid settings, a scale outside what the solvers
    /// compute in, a norm that does not apply), as the message <see cref="Solve(NeuralOdeModel, IntervalQuestion,
    /// InnerOptions, CertifyOptions)"/> would throw, or returns null.
    /// </summary>
    public static string? Problem(NeuralOdeModel model, IntervalQuestion question)
    {
        if (question.Validate() is { } invalid)
        {
            return $"{invalid.Option}: {invalid.Problem}";
        }

        return ScaleProblem(model, question) ?? NormProblem(model, question);
    }

    /// <summary>Answers the question with a given oracle, evaluating each box the outer iteration asks for.</summary>
    public static IntervalAnswer Solve(IWorstCaseOracle oracle, IntervalQuestion question)
    {
        var search = OuterSearch.Start(question);
        while (search.Box is { } box)
        {
            search = search.Advance(oracle.Evaluate(box.Lower, box.Upper));
        }

        return Answer(search.Outcome!, question, oracle.Method, oracle.Counts);
    }

    /// <summary>The uncertified answer of a finished outer iteration.</summary>
    public static IntervalAnswer Answer(
        OuterOutcome outcome, IntervalQuestion question, string method, WorkCounts counts)
    {
        double? lower = null;
        double? upper = null;
        if (outcome.Tuned is { } t)
        {
            (lower, upper) = question.Box(t);
        }

        return new IntervalAnswer(
            question,
            outcome.Feasible,
            lower,
            upper,
            outcome.Exact ? CertificateStatus.Exact : CertificateStatus.Estimate,
            outcome.Tuned,
            outcome.Tuned,
            outcome.ReachedLimit,
            outcome.AtFixed.Value,
            outcome.Witness,
            outcome.Steps,
            method,
            counts);
    }
}
