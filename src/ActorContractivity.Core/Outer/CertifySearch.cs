using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Norms;

namespace ActorContractivity.Core.Outer;

/// <summary>A piece of certification work that <see cref="CertifySearch"/> asks for.</summary>
public abstract record CertifyStep;

/// <summary>
/// Decide (★) on the box of <paramref name="Theta"/> by branch and bound over every sample
/// (<see cref="PartitionedDecision"/>), starting from <paramref name="Witness"/> as incumbent, within
/// <paramref name="MaxSeconds"/> and <paramref name="MaxNodes"/> nodes over all samples
/// (<see cref="PartitionedDecision.SampleNodes"/> and <see cref="PartitionedDecision.SubtreeNodes"/> say how they
/// are shared).
/// </summary>
public sealed record DecideStep(double Theta, WorstCase Witness, double MaxSeconds, long MaxNodes = long.MaxValue)
    : CertifyStep;

/// <summary>
/// Find and prove the matrix cube bound's safe end from <paramref name="WitnessEnd"/>
/// (<see cref="BoundCertifier.Find"/>) within <paramref name="Seconds"/>.
/// </summary>
public sealed record BoundStep(double WitnessEnd, double Seconds) : CertifyStep;

/// <summary>
/// The certification of <see cref="IntervalSolver.Certify"/> as a pure, resumable step function, like
/// <see cref="OuterSearch"/>: <see cref="Next"/> names the work needed next (a decision or the bound), and
/// <see cref="Decided"/> / <see cref="Bounded"/> take its result and the seconds it took. Where the matrix cube
/// bound applies it runs first and to its end, whatever the budget (its bisection is a bounded number of
/// minimisations), so branch and bound can only improve on the bound's bracket, never starve it; when the bound
/// already meets the witness end the answer is exact without branch and bound. Branch and bound then decides the
/// witness end (with at most a quarter of the budget); if it finds a violation, the bound's safe end (or the fixed
/// end) is the safe side and decisions close in on the unsafe side, a quarter of the gap after each proof and half
/// after each violation, while budget remains. Once a box stays undecided (and from the start for samples too large
/// to decide the witness end), decisions descend from the safe side instead, where the trees are small. The budget
/// counts the bound's seconds too: branch and bound gets what the bound left. Time is the sum of the seconds
/// reported, so a replay of the same results gives the same state. A budget of nodes is shared out like the
/// seconds, and the two apply together: a decision gets its share of each, and the search stops when either runs
/// out.
/// </summary>
public sealed record CertifySearch
{
    /// <summary>The least share of the whole budget a decision of the descent is started with.</summary>
    private const double SmallestDescentShare = 1.0 / 32;

    private CertifySearch(IntervalAnswer estimate, CertifyOptions certify, bool boundApplies)
    {
        Estimate = estimate;
        Certify = certify;
        BoundApplies = boundApplies;
        Witness = estimate.Witness;
        BoundedEstimate = estimate;
    }

    /// <summary>The answer of the outer iteration being certified.</summary>
    public IntervalAnswer Estimate { get; }

    /// <summary>The work needed next, or null when done.</summary>
    public CertifyStep? Next { get; private init; }

    /// <summary>The certified answer once <see cref="Next"/> is null.</summary>
    public IntervalAnswer? Answer { get; private init; }

    private CertifyOptions Certify { get; }

    private bool BoundApplies { get; }

    private IntervalQuestion Question => Estimate.Question;

    private double WitnessEnd => Estimate.BracketLow!.Value;

    private bool Searching { get; init; }

    private DecisionOutcome? First { get; init; }

    private WorstCase Witness { get; init; }

    private IntervalAnswer BoundedEstimate { get; init; }

    private double SafeEnd { get; init; }

    private double UnsafeEnd { get; init; }

    private bool LastViolated { get; init; }

    private bool SkipsWitnessEnd { get; init; }

    private bool Descending { get; init; }

    private double HardEnd { get; init; }

    private double Step { get; init; }

    private bool SearchProved { get; init; }

    private double Seconds { get; init; }

    private double BoundSeconds { get; init; }

    private int Decisions { get; init; }

    private long Nodes { get; init; }

    private int Violations { get; init; }

    private double LastClosed { get; init; } = 1.0;

    private bool Complete { get; init; } = true;

    private BranchAndBoundSummary Summary =>
        new(Decisions, Nodes, Complete, LastClosed, Seconds - BoundSeconds, Violations);

    /// <summary>The certification of an answer, before any work.</summary>
    public static CertifySearch Start(NeuralOdeModel model, IntervalAnswer estimate, CertifyOptions certify)
    {
        var question = estimate.Question;
        var search = new CertifySearch(estimate, certify, BoundCertifier.Applies(model, question));
        if (!IntervalSolver.NeedsCertification(estimate, certify))
        {
            return search with { Answer = estimate };
        }

        var slopes = model.Samples.Max(s => s.DiagonalCount);
        var norm = question.Norm == LogNormKind.Two && question.DiscreteStep is null;
        var searchable = norm
            && (certify.Mode == CertifyMode.Exact
                || (certify.Mode == CertifyMode.Auto && slopes <= CertifyOptions.AutoBranchAndBoundLimit));
        var descends = norm && search.BoundApplies && certify.Mode == CertifyMode.Auto
            && slopes <= CertifyOptions.AutoDescentLimit;
        if (!searchable && !descends)
        {
            return search.BoundApplies
                ? search with { Next = new BoundStep(search.WitnessEnd, certify.EffectiveBudget) }
                : search with { Answer = estimate };
        }

        if (search.BoundApplies)
        {
            return search with
            {
                Searching = true,
                SkipsWitnessEnd = !searchable,
                Next = new BoundStep(search.WitnessEnd, double.PositiveInfinity),
            };
        }

        return (search with { Searching = true }).DecideWitnessEnd();
    }

    /// <summary>The first decision: the witness end, with at most a quarter of the budget.</summary>
    private CertifySearch DecideWitnessEnd()
    {
        var budget = Certify.EffectiveBudget;
        var seconds = Math.Max(Math.Min(0.25 * budget, budget - Seconds), 0);
        var nodes = Math.Min(Share(Certify.EffectiveNodes, 0.25), RemainingNodes);
        return this with { Next = new DecideStep(WitnessEnd, Estimate.Witness, seconds, nodes) };
    }

    /// <summary>The nodes of the budget not spent yet (<see cref="long.MaxValue"/> when there is no limit).</summary>
    private long RemainingNodes =>
        Certify.EffectiveNodes == long.MaxValue ? long.MaxValue : Math.Max(Certify.EffectiveNodes - Nodes, 0);

    /// <summary>A share of a number of nodes, no limit staying no limit.</summary>
    private static long Share(long nodes, double share) =>
        nodes == long.MaxValue ? long.MaxValue : (long)Math.Floor(share * nodes);

    /// <summary>The state after the decision asked for came out as <paramref name="decision"/>.</summary>
    public CertifySearch Decided(BoxDecision decision, double seconds)
    {
        var step = Next as DecideStep ?? throw new InvalidOperationException("no decision was asked for");
        var counted = this with
        {
            Seconds = Seconds + seconds,
            Decisions = Decisions + 1,
            Nodes = Nodes + decision.Nodes,
            Violations = Violations + (decision.Outcome == DecisionOutcome.Violated ? 1 : 0),
            LastClosed = decision.ClosedFraction,
            Complete = Complete && decision.Outcome != DecisionOutcome.Unknown,
            Witness = decision.Violation ?? Witness,
        };
        if (First is null)
        {
            var first = counted with { First = decision.Outcome };
            if (decision.Outcome == DecisionOutcome.Proven)
            {
                return first.Done(Estimate with
                {
                    Status = CertificateStatus.Exact,
                    Certificate = BoundedEstimate.Certificate,
                    BranchAndBound = first.Summary,
                });
            }

            return decision.Outcome == DecisionOutcome.Unknown
                ? first.Open(BoundedEstimate).Descend(WitnessEnd)
                : first.Open(BoundedEstimate).Choose();
        }

        if (decision.Outcome == DecisionOutcome.Unknown)
        {
            return counted.Descend(step.Theta);
        }

        var violated = decision.Outcome == DecisionOutcome.Violated;
        return (counted with
        {
            LastViolated = violated,
            UnsafeEnd = violated ? step.Theta : UnsafeEnd,
            SafeEnd = violated ? SafeEnd : step.Theta,
            HardEnd = violated ? step.Theta : HardEnd,
            Step = violated ? Math.Min(Step, 0.5 * Math.Abs(SafeEnd - step.Theta)) : Step,
            SearchProved = SearchProved || !violated,
        }).Choose();
    }

    /// <summary>The state after the bound asked for proved <paramref name="certificate"/> (or nothing).</summary>
    public CertifySearch Bounded(SafeEndCertificate? certificate, double seconds)
    {
        if (Next is not BoundStep)
        {
            throw new InvalidOperationException("no bound was asked for");
        }

        var bounded = WithBound(Estimate, certificate);
        var spent = this with { Seconds = Seconds + seconds, BoundSeconds = BoundSeconds + seconds };
        if (!Searching || bounded.Status == CertificateStatus.Exact)
        {
            return spent.Done(bounded);
        }

        var searching = spent with { BoundedEstimate = bounded };
        if (Certify.EffectiveBudget - searching.Seconds <= 0 || Certify.EffectiveNodes <= 0)
        {
            // The bound used the whole budget (or none was left for nodes): its bracket is the answer; branch and
            // bound closed nothing.
            var unstarted = searching with { Complete = false, LastClosed = 0 };
            return unstarted.Done(bounded with { BranchAndBound = unstarted.Summary });
        }

        return SkipsWitnessEnd
            ? (searching with { First = DecisionOutcome.Unknown }).Open(bounded).Descend(WitnessEnd)
            : searching.DecideWitnessEnd();
    }

    /// <summary>The matrix cube bound bracket: the tuned end becomes the proven safe end.</summary>
    public static IntervalAnswer WithBound(IntervalAnswer answer, SafeEndCertificate? certificate)
    {
        if (certificate is null)
        {
            return answer;
        }

        var question = answer.Question;
        var (lower, upper) = question.Box(certificate.SafeEnd);
        var agree = Math.Abs(certificate.SafeEnd - answer.BracketLow!.Value) <= question.Tolerance;
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
    /// The bracket branch and bound closes in on: the safe side at the bound's safe end (or at the fixed end,
    /// D = fixed·I, checked exactly by the outer level), the unsafe side at the witness end.
    /// </summary>
    private CertifySearch Open(IntervalAnswer bounded) =>
        this with
        {
            BoundedEstimate = bounded,
            SafeEnd = bounded.Certificate?.SafeEnd ?? Question.Fixed,
            UnsafeEnd = WitnessEnd,
            LastViolated = First == DecisionOutcome.Violated,
        };

    /// <summary>
    /// Descends from the safe side once the box of <paramref name="hard"/> came out undecided (or, for samples too
    /// large for a decision near the witness end, straight after the bound). The trees of boxes near the proven end
    /// are small and grow fast with the distance from it, so decisions step down from it: the first step an eighth
    /// of the way to <paramref name="hard"/>, the same step again after each proof (which moves the safe end), half
    /// of what is left after each box that stays undecided, and each decision gets half the budget left.
    /// </summary>
    private CertifySearch Descend(double hard)
    {
        var span = Math.Abs(SafeEnd - hard);
        return (this with
        {
            Descending = true,
            HardEnd = hard,
            Step = Descending ? 0.5 * span : span / 8,
        }).Choose();
    }

    private CertifySearch Choose()
    {
        var gap = SafeEnd - UnsafeEnd;
        if (Math.Abs(gap) <= Question.Tolerance)
        {
            return Finish();
        }

        var remaining = Certify.EffectiveBudget - Seconds;
        var nodes = RemainingNodes;
        if (remaining <= 0 || nodes <= 0)
        {
            // No time or nodes left for another decision: it could only come out unknown.
            return (this with { Complete = false }).Finish();
        }

        if (Descending)
        {
            var span = SafeEnd - HardEnd;
            if (Math.Abs(span) <= Question.Tolerance)
            {
                return Finish();
            }

            // A decision with a sliver of the budget closes next to nothing: stop before the slivers.
            if (0.5 * remaining < SmallestDescentShare * Certify.EffectiveBudget
                || Share(nodes, 0.5) < Math.Max(1, Share(Certify.EffectiveNodes, SmallestDescentShare)))
            {
                return (this with { Complete = false }).Finish();
            }

            var step = Math.Min(Math.Max(Step, 0.5 * Question.Tolerance), 0.5 * Math.Abs(span));
            return this with
            {
                Next = new DecideStep(SafeEnd - Math.Sign(span) * step, Witness, 0.5 * remaining, Share(nodes, 0.5)),
            };
        }

        var theta = LastViolated
            ? UnsafeEnd + 0.5 * gap
            : UnsafeEnd + Math.Sign(gap) * Math.Max(0.25 * Math.Abs(gap), 0.5 * Question.Tolerance);
        return this with
        {
            Next = new DecideStep(theta, Witness, remaining, nodes),
        };
    }

    private CertifySearch Finish()
    {
        if (!SearchProved && BoundedEstimate.Certificate is null && First == DecisionOutcome.Unknown)
        {
            // Nothing is proven beyond D = fixed·I: the witness answer stays an estimate.
            return Done(Estimate with { BranchAndBound = Summary });
        }

        var (lower, upper) = Question.Box(SafeEnd);
        var exact = Math.Abs(SafeEnd - UnsafeEnd) <= Question.Tolerance;
        return Done(Estimate with
        {
            Lower = lower,
            Upper = upper,
            BracketLow = UnsafeEnd,
            BracketHigh = SafeEnd,
            ReachedLimit = Estimate.ReachedLimit && SafeEnd == WitnessEnd,
            Status = exact ? CertificateStatus.Exact : CertificateStatus.Bracket,
            Witness = Witness,
            Certificate = BoundedEstimate.Certificate,
            BranchAndBound = Summary,
        });
    }

    private CertifySearch Done(IntervalAnswer answer) => this with { Next = null, Answer = answer };
}
