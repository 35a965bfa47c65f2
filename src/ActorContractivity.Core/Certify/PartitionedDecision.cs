using System.Diagnostics;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Core.Certify;

/// <summary>How a decision of (★) on one box came out.</summary>
public enum DecisionOutcome
{
    /// <summary>Every slope pattern of every sample keeps μ ≤ c.</summary>
    Proven,

    /// <summary>A slope pattern breaks μ ≤ c.</summary>
    Violated,

    /// <summary>The budget ran out, or a vertex sits within rounding of c.</summary>
    Unknown,
}

/// <summary>A decision of (★) on the box of a tuned end by branch and bound over every sample.</summary>
/// <param name="Outcome">Proven, violated or unknown.</param>
/// <param name="Violation">The pattern that breaks the bound, when violated.</param>
/// <param name="ClosedFraction">Share of the vertex trees closed (1 unless unknown).</param>
/// <param name="Nodes">Nodes processed by the parts the decision rests on.</param>
public sealed record BoxDecision(DecisionOutcome Outcome, WorstCase? Violation, double ClosedFraction, long Nodes);

/// <summary>
/// What one part of a decision found: the split of a sample's tree near its root, or the search of one subtree.
/// </summary>
/// <param name="Violated">A vertex above c was found (it is <paramref name="Vertex"/>).</param>
/// <param name="Settled">Everything the part was responsible for is closed: no budget ran out and no vertex sits
/// within rounding of c (for a split, the subtrees it hands on are the other parts' responsibility).</param>
/// <param name="Maximum">The largest vertex value the part met.</param>
/// <param name="Vertex">That vertex.</param>
/// <param name="Nodes">Nodes processed.</param>
/// <param name="ClosedFraction">Share of the sample's 2^n vertices the part closed.</param>
/// <param name="Open">For a split: the subtrees handed on, in the order their results are combined.</param>
public sealed record DecisionPart(
    bool Violated, bool Settled, double Maximum, double[] Vertex, long Nodes, double ClosedFraction,
    IReadOnlyList<Subtree> Open)
{
    /// <summary>
    /// For a split of a one-layer sample: the bound's multipliers at the parent of each subtree handed on (same
    /// order as <see cref="Open"/>), from which its search starts; empty otherwise.
    /// </summary>
    public IReadOnlyList<double[]?> OpenMultipliers { get; init; } = [];

    /// <summary>The multipliers subtree <paramref name="index"/> starts from, if any.</summary>
    public double[]? MultipliersOf(int index) => index < OpenMultipliers.Count ? OpenMultipliers[index] : null;
}

/// <summary>
/// A decision of (★) on one box, partitioned so that its parts are independent tasks (DESIGN §2.2): per sample, a
/// split expands the root of its branch-and-bound tree breadth-first into up to <see cref="SubtreesPerSample"/>
/// subtrees, and each subtree is searched on its own. Each part is a deterministic function of its inputs (no
/// shared incumbent, no clock unless a budget cuts it short), and <see cref="DecisionTally"/> combines the parts
/// in a fixed order, so one process searching the parts in turn and a cluster searching them at once reach the
/// same decision with the same counts.
/// </summary>
public static class PartitionedDecision
{
    /// <summary>The subtrees a sample's tree is split into (fewer when the split closes branches first).</summary>
    public const int SubtreesPerSample = 16;

    /// <summary>The options of every part of a decision at threshold c.</summary>
    private static BranchAndBoundOptions Options(double c, double seconds, long nodes, int seed) =>
        new(StopAbove: c, PruneAtOrBelow: c, MaxNodes: Math.Max(nodes, 0), MaxSeconds: Math.Max(seconds, 0),
            Seed: seed);

    /// <summary>
    /// The nodes the tree of sample <paramref name="sample"/> (of <paramref name="samples"/>) gets when the decision
    /// may use <paramref name="decisionNodes"/>: an even share, the first samples one more each until the remainder
    /// is used up, so that the samples' trees can run at once and the decision still stays within its nodes. A
    /// decision over S samples needs at least S nodes (every sample's root); with fewer, the samples left without
    /// any stay undecided and so does the decision.
    /// </summary>
    public static long SampleNodes(long decisionNodes, int samples, int sample)
    {
        if (decisionNodes == long.MaxValue)
        {
            return decisionNodes;
        }

        var nodes = Math.Max(decisionNodes, 0);
        return nodes / samples + (sample < nodes % samples ? 1 : 0);
    }

    /// <summary>
    /// The nodes each subtree of a split gets when the sample's tree may use <paramref name="sampleNodes"/>: what the
    /// split left, shared evenly, so that the parts can run at once on any number of threads or nodes and still reach
    /// the decision of one thread (a subtree that needs more than its share stays open; the decision is then
    /// unknown).
    /// </summary>
    public static long SubtreeNodes(long sampleNodes, DecisionPart split) =>
        sampleNodes == long.MaxValue || split.Open.Count == 0
            ? sampleNodes
            : Math.Max(sampleNodes - split.Nodes, 0) / split.Open.Count;

    /// <summary>The witness pattern moved to a nearby box (each slope to the nearer end), for its own sample.</summary>
    public static double[]? Incumbent(WorstCase witness, int sample, double lower, double upper) =>
        sample == witness.SampleIndex
            ? witness.Slopes.Select(d => Math.Abs(d - lower) <= Math.Abs(d - upper) ? lower : upper).ToArray()
            : null;

    /// <summary>
    /// Expands the root of a sample's tree for the box of θ breadth-first, one node at a time, until it has
    /// <see cref="SubtreesPerSample"/> open subtrees, closes, finds a violation or runs out of
    /// <paramref name="seconds"/> or <paramref name="maxNodes"/>. Each node's bound starts from its parent's
    /// multipliers. The nodes waiting in the
    /// queue are independent, so they are bounded on up to <paramref name="maxDegreeOfParallelism"/> threads at
    /// once (−1 for all) and then taken in queue order, which gives the one-thread result: the expansions past the
    /// point where the queue is full are thrown away.
    /// </summary>
    public static DecisionPart Split(
        Sample sample, IntervalQuestion question, double theta, double seconds, int seed, double[]? incumbent,
        int maxDegreeOfParallelism = 1, long maxNodes = long.MaxValue)
    {
        var clock = Stopwatch.StartNew();
        var (lower, upper) = question.Box(theta);
        var options = Options(question.C, seconds, long.MaxValue, seed);
        var queue = new Queue<(Subtree Node, double[]? Multipliers)>([(Subtree.Root, null)]);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var nodes = 0L;
        var closed = 0.0;
        var settled = true;
        var best = double.NegativeInfinity;
        var vertex = Array.Empty<double>();
        while (queue.Count > 0 && queue.Count < SubtreesPerSample)
        {
            var remaining = options.MaxSeconds - clock.Elapsed.TotalSeconds;
            if (remaining <= 0 || nodes >= maxNodes)
            {
                return new DecisionPart(false, false, best, vertex, nodes, closed, []);
            }

            var waiting = queue.ToArray();
            var results = new BranchAndBoundResult[waiting.Length];
            Parallel.For(0, maxDegreeOfParallelism == 1 ? 1 : waiting.Length, parallel, i =>
                results[i] = BranchAndBound.Run(sample, lower, upper,
                    options with { MaxNodes = 1, MaxSeconds = remaining }, incumbent, waiting[i].Node,
                    waiting[i].Multipliers));
            for (var i = 0; i < waiting.Length && queue.Count < SubtreesPerSample; i++)
            {
                queue.Dequeue();
                var result = results[i] ?? BranchAndBound.Run(sample, lower, upper,
                    options with { MaxNodes = 1, MaxSeconds = options.MaxSeconds - clock.Elapsed.TotalSeconds },
                    incumbent, waiting[i].Node, waiting[i].Multipliers);
                nodes += result.Nodes;
                closed += result.ClosedFraction;
                if (result.Maximum > best)
                {
                    (best, vertex) = (result.Maximum, result.Vertex);
                }

                if (result.Maximum > options.StopAbove)
                {
                    return new DecisionPart(true, true, best, vertex, nodes, closed, []);
                }

                // A node not closed and not branched is a leaf within rounding of c: undecidable here.
                settled &= result.Complete || result.Open.Count > 0;
                for (var k = 0; k < result.Open.Count; k++)
                {
                    var multipliers = k < result.OpenMultipliers.Count ? result.OpenMultipliers[k] : null;
                    queue.Enqueue((result.Open[k], multipliers));
                }

                if (i + 1 < waiting.Length
                    && (options.MaxSeconds - clock.Elapsed.TotalSeconds <= 0 || nodes >= maxNodes))
                {
                    return new DecisionPart(false, false, best, vertex, nodes, closed, []);
                }
            }
        }

        return new DecisionPart(false, settled, best, vertex, nodes, closed, queue.Select(q => q.Node).ToArray())
        {
            OpenMultipliers = queue.Select(q => q.Multipliers).ToArray(),
        };
    }

    /// <summary>
    /// Searches one subtree that a split handed on, within <paramref name="seconds"/> and
    /// <paramref name="maxNodes"/>, its root's bound minimised from the split's <paramref name="multipliers"/> for it.
    /// </summary>
    public static DecisionPart Search(
        Sample sample, IntervalQuestion question, double theta, double seconds, int seed, double[]? incumbent,
        Subtree subtree, double[]? multipliers = null, long maxNodes = long.MaxValue)
    {
        var (lower, upper) = question.Box(theta);
        var options = Options(question.C, seconds, maxNodes, seed);
        var result = BranchAndBound.Run(sample, lower, upper, options, incumbent, subtree, multipliers);
        var violated = result.Maximum > options.StopAbove;
        return new DecisionPart(violated, result.Complete, result.Maximum, result.Vertex, result.Nodes,
            result.ClosedFraction, []);
    }

    /// <summary>
    /// Decides the box of θ in this process: each sample's split, then its subtrees on up to
    /// <paramref name="maxDegreeOfParallelism"/> threads (−1 for all). The tally combines them in order, so the
    /// decision and its counts are those of one thread walking the parts in turn. Each sample's tree gets its share of
    /// the step's nodes (<see cref="SampleNodes"/>), as on a cluster, where the samples' splits run at once.
    /// </summary>
    public static BoxDecision Decide(
        NeuralOdeModel model, IntervalQuestion question, DecideStep step, int seed, int maxDegreeOfParallelism = 1)
    {
        var clock = Stopwatch.StartNew();
        var (lower, upper) = question.Box(step.Theta);
        var tally = new DecisionTally(model);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        for (var s = 0; s < model.Samples.Count; s++)
        {
            var sample = model.Samples[s];
            var incumbent = Incumbent(step.Witness, s, lower, upper);
            var seconds = step.MaxSeconds - Seconds(clock);
            var sampleNodes = SampleNodes(step.MaxNodes, model.Samples.Count, s);
            var split = Split(sample, question, step.Theta, seconds, seed, incumbent, maxDegreeOfParallelism,
                sampleNodes);
            tally.Split(s, split);
            var subtreeNodes = SubtreeNodes(sampleNodes, split);
            Parallel.For(0, split.Open.Count, parallel, (i, loop) =>
            {
                // Once the parts walked so far decide, the remaining subtrees cannot change the outcome.
                lock (tally)
                {
                    if (tally.Outcome is not null)
                    {
                        loop.Stop();
                        return;
                    }
                }

                var part = Search(sample, question, step.Theta, step.MaxSeconds - Seconds(clock), seed, incumbent,
                    split.Open[i], split.MultipliersOf(i), subtreeNodes);
                lock (tally)
                {
                    tally.Subtree(s, i, part);
                }
            });

            if (tally.Outcome is { } outcome)
            {
                return outcome;
            }
        }

        return tally.Outcome!;
    }

    private static double Seconds(Stopwatch clock) => clock.Elapsed.TotalSeconds;
}

/// <summary>
/// Combines the parts of a decision as they come in, in any order, into the decision that walking them in order
/// gives: sample by sample, the split and then its subtrees; the first part that finds a violation decides; a
/// sample whose parts are all in but not all settled makes the decision unknown; all samples settled prove it.
/// Counts include exactly the parts walked, so the decision does not depend on which other parts also ran.
/// </summary>
public sealed class DecisionTally
{
    private readonly NeuralOdeModel _model;
    private readonly DecisionPart?[] _splits;
    private readonly DecisionPart?[][] _subtrees;

    /// <summary>A tally for a decision on a box of the model.</summary>
    public DecisionTally(NeuralOdeModel model)
    {
        _model = model;
        _splits = new DecisionPart?[model.Samples.Count];
        _subtrees = new DecisionPart?[model.Samples.Count][];
    }

    /// <summary>The decision, once the parts it rests on are in; null before.</summary>
    public BoxDecision? Outcome { get; private set; }

    /// <summary>Takes the split of sample <paramref name="sample"/>.</summary>
    public void Split(int sample, DecisionPart split)
    {
        _splits[sample] ??= split;
        _subtrees[sample] ??= new DecisionPart?[split.Open.Count];
        Outcome ??= Walk();
    }

    /// <summary>Takes subtree <paramref name="index"/> of the split of sample <paramref name="sample"/>.</summary>
    public void Subtree(int sample, int index, DecisionPart part)
    {
        _subtrees[sample][index] ??= part;
        Outcome ??= Walk();
    }

    private BoxDecision? Walk()
    {
        var nodes = 0L;
        var closedSamples = 0.0;
        for (var s = 0; s < _splits.Length; s++)
        {
            if (_splits[s] is null)
            {
                return null;
            }

            var closed = 0.0;
            var settled = true;
            foreach (var part in _subtrees[s].Prepend(_splits[s]))
            {
                if (part is null)
                {
                    return null;
                }

                nodes += part.Nodes;
                closed += part.ClosedFraction;
                settled &= part.Settled;
                if (part.Violated)
                {
                    return new BoxDecision(DecisionOutcome.Violated, Violation(s, part), 1.0, nodes);
                }
            }

            if (!settled)
            {
                return new BoxDecision(DecisionOutcome.Unknown, null, (closedSamples + closed) / _splits.Length,
                    nodes);
            }

            closedSamples += 1.0;
        }

        return new BoxDecision(DecisionOutcome.Proven, null, 1.0, nodes);
    }

    private WorstCase Violation(int sample, DecisionPart part)
    {
        var layers = _model.Samples[sample].Layers;
        var offsets = new int[layers.Count + 1];
        for (var k = 0; k < layers.Count; k++)
        {
            offsets[k + 1] = offsets[k] + layers[k].Rows;
        }

        return new WorstCase(part.Maximum, sample, part.Vertex, offsets, new double[part.Vertex.Length], 0, false);
    }
}
