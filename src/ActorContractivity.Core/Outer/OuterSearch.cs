namespace ActorContractivity.Core.Outer;

/// <summary>Where the outer iteration is.</summary>
public enum OuterPhase
{
    /// <summary>φ at D = fixed·I is asked for: if it breaks the bound, no interval exists.</summary>
    AtFixed,

    /// <summary>
    /// φ at the far end of the search range is asked for: if it keeps the bound, the whole range does.
    /// </summary>
    AtFar,

    /// <summary>Newton or bisection inside the bracket [unsafe, safe].</summary>
    Bracketing,

    /// <summary>Finished; <see cref="OuterSearch.Outcome"/> holds the answer.</summary>
    Done,
}

/// <summary>The answer of the outer iteration, before certification.</summary>
/// <param name="Feasible">False when D = fixed·I breaks the bound.</param>
/// <param name="Tuned">The tuned end found (null when infeasible).</param>
/// <param name="AtFixed">φ at D = fixed·I.</param>
/// <param name="Witness">The worst case at the tuned end (for infeasible models: at D = fixed·I).</param>
/// <param name="Steps">The outer iterations.</param>
/// <param name="ReachedLimit">The whole search range keeps the bound.</param>
/// <param name="Exact">Every worst case was computed exactly.</param>
public sealed record OuterOutcome(
    bool Feasible, double? Tuned, WorstCase AtFixed, WorstCase Witness, IReadOnlyList<OuterStep> Steps,
    bool ReachedLimit, bool Exact);

/// <summary>
/// The outer iteration of <see cref="IntervalSolver"/> (DESIGN §1.3) as a pure, resumable step function: the
/// state names the box whose worst case it needs next (<see cref="Box"/>), and <see cref="Advance"/> takes that
/// worst case and returns the next state. A process evaluates the boxes itself; a cluster spreads each box over
/// its workers, and may persist the worst cases and replay them through <see cref="Advance"/> to resume after a
/// crash. Newton keeps the lead while it either halves the bracket or halves |φ − c|; a single stall is forgiven,
/// because an inexact inner solve that finds a worse pattern at the new θ raises φ once without Newton being
/// wrong, and a bisection step there would throw away its fast approach.
/// </summary>
public sealed record OuterSearch
{
    /// <summary>Outer iterations inside the bracket before the search stops regardless.</summary>
    public const int MaxIterations = 200;

    private OuterSearch(IntervalQuestion question)
    {
        Question = question;
        Theta = question.Fixed;
        Rule = "fixed end";
    }

    /// <summary>The question.</summary>
    public IntervalQuestion Question { get; }

    /// <summary>Where the iteration is.</summary>
    public OuterPhase Phase { get; private init; } = OuterPhase.AtFixed;

    /// <summary>
    /// The tuned end whose box is evaluated next (at <see cref="OuterPhase.AtFixed"/>: the fixed end).
    /// </summary>
    public double Theta { get; private init; }

    /// <summary>How <see cref="Theta"/> was chosen.</summary>
    public string Rule { get; private init; }

    /// <summary>Outer steps taken so far (the far end included).</summary>
    public IReadOnlyList<OuterStep> Steps { get; private init; } = [];

    /// <summary>The answer once <see cref="Phase"/> is <see cref="OuterPhase.Done"/>.</summary>
    public OuterOutcome? Outcome { get; private init; }

    /// <summary>The end of the bracket where a slope pattern breaks the bound (the far end at first).</summary>
    public double UnsafeEnd { get; private init; }

    /// <summary>The end of the bracket where the worst case found keeps the bound (the fixed end at first).</summary>
    public double SafeEnd { get; private init; }

    private WorstCase? AtFixedCase { get; init; }

    private WorstCase? Current { get; init; }

    private WorstCase? SafeWitness { get; init; }

    private double WidthTwoStepsAgo { get; init; } = double.PositiveInfinity;

    private double WidthOneStepAgo { get; init; }

    private double PreviousMismatch { get; init; } = double.PositiveInfinity;

    private int Stalls { get; init; }

    private bool AllExact { get; init; }

    private int Iteration { get; init; }

    /// <summary>The state before any worst case is known.</summary>
    public static OuterSearch Start(IntervalQuestion question) => new(question);

    /// <summary>The box [ℓ, u] whose worst case <see cref="Advance"/> needs next, or null when done.</summary>
    public (double Lower, double Upper)? Box => Phase switch
    {
        OuterPhase.Done => null,
        OuterPhase.AtFixed => (Question.Fixed, Question.Fixed),
        _ => Question.Box(Theta),
    };

    /// <summary>The state after the worst case of <see cref="Box"/> became known.</summary>
    /// <exception cref="InvalidOperationException">The worst case's log-norm is NaN, +∞, or −∞ for the flow (only
    /// a discrete step whose I + h·D·J is zero has μ = −∞): such a value says nothing about μ ≤ c, and
    /// reading it either way could prove what is false.</exception>
    public OuterSearch Advance(WorstCase evaluation)
    {
        var c = Question.C;
        var value = evaluation.Value;
        if (double.IsNaN(value) || double.IsPositiveInfinity(value)
            || (double.IsNegativeInfinity(value) && Question.DiscreteStep is null))
        {
            throw new InvalidOperationException($"the worst log-norm of the box {Box} evaluated to {value}: the "
                + "computation left the floating-point range, so nothing about the box is known");
        }

        switch (Phase)
        {
            case OuterPhase.AtFixed:
                if (evaluation.Value > c)
                {
                    return Finish(false, null, evaluation, evaluation, [], false, true);
                }

                return this with { Phase = OuterPhase.AtFar, AtFixedCase = evaluation, Theta = Question.FarEnd,
                    Rule = "far end" };

            case OuterPhase.AtFar:
            {
                var far = Theta;
                OuterStep[] steps = [new OuterStep(far, evaluation.Value, evaluation.DerivativeAt(far), Rule)];
                if (evaluation.Value <= c)
                {
                    return Finish(true, far, AtFixedCase!, evaluation, steps, true, evaluation.Exact);
                }

                var bracketing = this with
                {
                    Phase = OuterPhase.Bracketing,
                    Steps = steps,
                    UnsafeEnd = far,
                    SafeEnd = Question.Fixed,
                    SafeWitness = AtFixedCase,
                    Current = evaluation,
                    AllExact = evaluation.Exact,
                    WidthOneStepAgo = Math.Abs(Question.Fixed - far),
                };
                return bracketing.Choose();
            }

            case OuterPhase.Bracketing:
            {
                var next = Theta;
                var step = new OuterStep(next, evaluation.Value, evaluation.DerivativeAt(next), Rule);
                var violated = evaluation.Value > c;
                var advanced = this with
                {
                    Steps = [.. Steps, step],
                    AllExact = AllExact & evaluation.Exact,
                    UnsafeEnd = violated ? next : UnsafeEnd,
                    SafeEnd = violated ? SafeEnd : next,
                    SafeWitness = violated ? SafeWitness : evaluation,
                    Current = evaluation,
                    Iteration = Iteration + 1,
                };
                var widened = advanced with
                {
                    WidthTwoStepsAgo = WidthOneStepAgo,
                    WidthOneStepAgo = Math.Abs(advanced.SafeEnd - advanced.UnsafeEnd),
                };
                return widened.Choose();
            }

            default:
                throw new InvalidOperationException("the outer iteration has finished");
        }
    }

    /// <summary>Chooses the next θ inside the bracket, or finishes when the bracket is closed.</summary>
    private OuterSearch Choose()
    {
        if (Iteration >= MaxIterations || Math.Abs(SafeEnd - UnsafeEnd) <= Question.Tolerance)
        {
            return Finish(true, SafeEnd, AtFixedCase!, SafeWitness!, Steps, false, AllExact);
        }

        var mismatch = Math.Abs(Current!.Value - Question.C);
        var progressing = WidthOneStepAgo <= 0.5 * WidthTwoStepsAgo || mismatch <= 0.5 * PreviousMismatch;
        var stalls = progressing ? 0 : Stalls + 1;
        var (next, rule) = NextTheta(Theta, Current, Question.C, UnsafeEnd, SafeEnd, Question.Tolerance, stalls < 2);
        return this with { Stalls = stalls, PreviousMismatch = mismatch, Theta = next, Rule = rule };
    }

    private OuterSearch Finish(
        bool feasible, double? tuned, WorstCase atFixed, WorstCase witness, IReadOnlyList<OuterStep> steps,
        bool reachedLimit, bool exact) =>
        this with
        {
            Phase = OuterPhase.Done,
            Steps = steps,
            Outcome = new OuterOutcome(feasible, tuned, atFixed, witness, steps, reachedLimit, exact),
        };

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
}
