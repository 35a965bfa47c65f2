using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Shards;
using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// A job between steps, rebuilt from its events: the outer search of Core and the sweep state (warm starts, work
/// counts), then the certification search. The <c>Apply</c> methods are the only way it changes, so a coordinator
/// that replays its journal is exactly where it was. Immutable.
/// </summary>
/// <param name="Model">The job's model.</param>
/// <param name="Settings">The job's settings.</param>
/// <param name="Search">The outer iteration.</param>
/// <param name="Sweep">What the outer iteration carries from box to box.</param>
/// <param name="Step">Boxes evaluated.</param>
/// <param name="Certification">The certification, once the outer iteration is done and its first step came out.
/// </param>
/// <param name="CertifySteps">Certification steps done.</param>
public sealed record JobRun(
    NeuralOdeModel Model, JobSettings Settings, OuterSearch Search, SweepState Sweep, int Step,
    CertifySearch? Certification = null, int CertifySteps = 0)
{
    /// <summary>The run before its first box.</summary>
    public static JobRun Start(NeuralOdeModel model, JobSettings settings) =>
        new(model, settings, OuterSearch.Start(settings.Question), SweepState.Empty(model.Samples.Count), 0);

    /// <summary>The certification as it stands (started from the estimate if no step is done yet).</summary>
    public CertifySearch Certifying => Certification ?? CertifySearch.Start(Model, Estimate(), Settings.Certify);

    /// <summary>The run after a decision of the certification came out.</summary>
    public JobRun Apply(CertifyDecided decided) => this with
    {
        Certification = Certifying.Decided(decided.Decision, decided.Seconds),
        CertifySteps = CertifySteps + 1,
    };

    /// <summary>The run after the bound of the certification came out.</summary>
    public JobRun Apply(CertifyBounded bounded) => this with
    {
        Certification = Certifying.Bounded(bounded.Certificate, bounded.Seconds),
        CertifySteps = CertifySteps + 1,
    };

    /// <summary>The run after every sample's worst case in the current box became known.</summary>
    public JobRun Apply(BoxEvaluated evaluated) => this with
    {
        Search = Search.Advance(SampleSweep.Worst(Model, evaluated.Results)),
        Sweep = Sweep.Record(evaluated.Lower, evaluated.Upper, evaluated.Results),
        Step = Step + 1,
    };

    /// <summary>The answer of the outer iteration once it is done (before certification).</summary>
    public IntervalAnswer Estimate() => IntervalSolver.Answer(
        Search.Outcome!, Settings.Question, Sweep.Method(Settings.Question, Settings.Inner), Sweep.Counts);

    /// <summary>The work of the current box for <paramref name="workers"/> workers, or null when the outer iteration
    /// is done.</summary>
    public BoxWork? CurrentBox(int workers = 1) =>
        Search.Box is { } box ? new BoxWork(this, box.Lower, box.Upper, workers) : null;
}

/// <summary>
/// The tasks of one box and the results collected so far. Each sample is either one <see cref="SolveSampleTask"/>
/// (always, for a sample the job's layer shards solve) or one <see cref="ClimbTask"/> per start followed by a
/// <see cref="FinishTask"/> once all its climbs are in; samples proceed independently, so a sample's finish never
/// waits for another sample's climbs. A sample is split
/// into its starts only when the samples alone would give the workers fewer than <see cref="TasksPerWorker"/>
/// tasks each: a whole sample is one Core call, and every task costs a round trip and the coordinator's
/// bookkeeping, which small climbs do not repay. Either way the results are combined exactly as the
/// single-process oracle combines them. Task ids are derived from the step, the sample and the start, so a result
/// of an earlier attempt (or of a coordinator before a crash) is recognised.
/// </summary>
public sealed class BoxWork
{
    private readonly JobRun _run;
    private readonly InnerResult?[] _results;
    private readonly Climb?[][] _climbs;
    private readonly Dictionary<string, (int Sample, int Start)> _open = [];

    /// <summary>Samples per worker below which the samples of a box are split into their starts.</summary>
    public const int TasksPerWorker = 4;

    /// <summary>
    /// Plans the box [lower, upper] of the run's current step for <paramref name="workers"/> workers.
    /// </summary>
    public BoxWork(JobRun run, double lower, double upper, int workers = 1)
    {
        _run = run;
        Lower = lower;
        Upper = upper;
        var samples = run.Model.Samples.Count;
        _results = new InnerResult?[samples];
        _climbs = new Climb?[samples][];
        var tasks = new List<TaskSpec>();
        var question = run.Settings.Question;
        var inner = run.Settings.Inner;
        var split = samples < TasksPerWorker * Math.Max(workers, 1);
        var sharded = LayerShards.Sharded(run.Model, run.Settings);
        for (var s = 0; s < samples; s++)
        {
            var warm = run.Sweep.WarmFor(s, lower, upper);
            if (!split || sharded.Contains(s) || !SampleSweep.Decomposes(run.Model, s, lower, upper, question, inner))
            {
                tasks.Add(Track(new SolveSampleTask($"{run.Step}/solve/{s}", s, lower, upper, warm?.ToArray()), s, -1));
                continue;
            }

            var sample = run.Model.Samples[s];
            var starts = InnerSolver.StartPoints(sample.DiagonalCount, lower, upper, inner, s, warm);
            var polish = InnerSolver.PolishesEveryClimb(sample);
            _climbs[s] = new Climb?[starts.Count];
            for (var k = 0; k < starts.Count; k++)
            {
                var climb = new ClimbTask($"{run.Step}/climb/{s}/{k}", s, lower, upper, k, starts[k], polish);
                tasks.Add(Track(climb, s, k));
            }
        }

        Initial = tasks;
        Issued = tasks.Count;
    }

    /// <summary>ℓ of the box.</summary>
    public double Lower { get; }

    /// <summary>u of the box.</summary>
    public double Upper { get; }

    /// <summary>The tasks to issue first.</summary>
    public IReadOnlyList<TaskSpec> Initial { get; }

    /// <summary>Tasks planned so far (finish tasks join as their climbs complete).</summary>
    public int Issued { get; private set; }

    /// <summary>Tasks completed.</summary>
    public int Completed { get; private set; }

    /// <summary>True when every sample's worst case is in.</summary>
    public bool Done => _results.All(r => r is not null);

    /// <summary>The event that records the finished box.</summary>
    public BoxEvaluated Evaluated(string jobId) =>
        new(jobId, _run.Step, Lower, Upper, _results.Select(r => r!).ToArray());

    /// <summary>
    /// Takes a task's result; returns the tasks it makes ready (a sample's finish once its last climb is in).
    /// A result for a task that is not open (a duplicate, or of another step) is ignored.
    /// </summary>
    public IReadOnlyList<TaskSpec> Complete(string taskId, TaskOutcome outcome)
    {
        if (!_open.Remove(taskId, out var key))
        {
            return [];
        }

        Completed++;
        switch (outcome)
        {
            case SampleSolved solved:
                _results[key.Sample] = solved.Result;
                return [];
            case Climbed climbed:
                var climbs = _climbs[key.Sample];
                climbs[key.Start] = climbed.Climb;
                if (climbs.Any(c => c is null))
                {
                    return [];
                }

                Issued++;
                return [Track(new FinishTask($"{_run.Step}/finish/{key.Sample}", key.Sample, Lower, Upper,
                    climbs.Select(c => c!).ToArray()), key.Sample, -1)];
            default:
                throw new ArgumentException($"a box task cannot end with {outcome.GetType().Name}");
        }
    }

    private TaskSpec Track(TaskSpec task, int sample, int start)
    {
        _open[task.TaskId] = (sample, start);
        return task;
    }
}

/// <summary>
/// The tasks of one certification step and the results collected so far: the bound is one task; a decision is one
/// split per sample and then one task per subtree each split hands on, combined by a
/// <see cref="DecisionTally"/> exactly as the single-process decision combines them. Once the tally decides, the
/// step's event is ready and the tasks still open are not needed. Task ids are derived from the certification
/// step, the sample and the subtree. Times are measured on the coordinator's clock.
/// </summary>
public sealed class CertifyWork
{
    private readonly JobRun _run;
    private readonly string _prefix;
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly DecisionTally? _tally;
    private readonly double[]?[] _incumbents = [];
    private readonly Dictionary<string, (int Sample, int Subtree)> _open = [];
    private int _subtrees;

    /// <summary>Plans the run's next certification step.</summary>
    public CertifyWork(JobRun run, CertifyStep step)
    {
        _run = run;
        Step = step;
        _prefix = $"c{run.CertifySteps}";
        if (step is BoundStep bound)
        {
            Initial = [Track(new BoundTask($"{_prefix}/bound", bound.WitnessEnd, bound.Seconds), -1, -1)];
            return;
        }

        var decide = (DecideStep)step;
        var (lower, upper) = run.Settings.Question.Box(decide.Theta);
        var samples = run.Model.Samples.Count;
        _tally = new DecisionTally(run.Model);
        _incumbents = Enumerable.Range(0, samples)
            .Select(s => PartitionedDecision.Incumbent(decide.Witness, s, lower, upper)).ToArray();
        Initial = Enumerable.Range(0, samples)
            .Select(s => Track(new SplitTask($"{_prefix}/split/{s}", s, decide.Theta, _incumbents[s],
                decide.MaxSeconds, Until(decide.MaxSeconds), SampleNodes(decide, s)), s, -1))
            .ToArray();
    }

    /// <summary>The step.</summary>
    public CertifyStep Step { get; }

    /// <summary>The tasks to issue first.</summary>
    public IReadOnlyList<TaskSpec> Initial { get; }

    /// <summary>Tasks planned so far.</summary>
    public int Issued => Initial.Count + _subtrees;

    /// <summary>Tasks completed.</summary>
    public int Completed { get; private set; }

    /// <summary>The tasks issued and not completed.</summary>
    public IReadOnlyList<string> Open => _open.Keys.ToArray();

    /// <summary>The event that records the step, once its result is known.</summary>
    public IJobEvent? Result { get; private set; }

    /// <summary>Takes a task's result; returns the tasks it makes ready (the subtrees of a split).</summary>
    public IReadOnlyList<TaskSpec> Complete(string taskId, TaskOutcome outcome, string jobId)
    {
        if (Result is not null || !_open.Remove(taskId, out var key))
        {
            return [];
        }

        Completed++;
        var seconds = (DateTime.UtcNow - _started).TotalSeconds;
        switch (outcome)
        {
            case BoundFound found:
                Result = new CertifyBounded(jobId, _run.CertifySteps, found.Certificate, seconds);
                return [];
            case PartSearched { Part: var part } when key.Subtree < 0:
                _tally!.Split(key.Sample, part);
                Decide(jobId, seconds);
                if (Result is not null)
                {
                    return [];
                }

                var decide = (DecideStep)Step;
                var remaining = decide.MaxSeconds - seconds;
                var nodes = PartitionedDecision.SubtreeNodes(SampleNodes(decide, key.Sample), part);
                _subtrees += part.Open.Count;
                return part.Open
                    .Select((subtree, i) => Track(new SubtreeTask($"{_prefix}/tree/{key.Sample}/{i}", key.Sample,
                        decide.Theta, _incumbents[key.Sample], subtree, remaining, Until(decide.MaxSeconds),
                        part.MultipliersOf(i), nodes),
                        key.Sample, i))
                    .ToArray();
            case PartSearched { Part: var part }:
                _tally!.Subtree(key.Sample, key.Subtree, part);
                Decide(jobId, seconds);
                return [];
            default:
                throw new ArgumentException($"a certification task cannot end with {outcome.GetType().Name}");
        }
    }

    private void Decide(string jobId, double seconds)
    {
        if (_tally!.Outcome is { } decision)
        {
            Result = new CertifyDecided(jobId, _run.CertifySteps, decision, seconds);
        }
    }

    /// <summary>
    /// The decision's deadline by the wall clock, so that tasks queued behind others do not each get the whole
    /// budget (none when unbounded).
    /// </summary>
    private DateTime? Until(double maxSeconds) =>
        maxSeconds < 1e7 ? _started.AddSeconds(Math.Max(maxSeconds, 0)) : null;

    /// <summary>The share of the decision's nodes the tree of <paramref name="sample"/> gets.</summary>
    private long SampleNodes(DecideStep decide, int sample) =>
        PartitionedDecision.SampleNodes(decide.MaxNodes, _run.Model.Samples.Count, sample);

    private TaskSpec Track(TaskSpec task, int sample, int subtree)
    {
        _open[task.TaskId] = (sample, subtree);
        return task;
    }
}
