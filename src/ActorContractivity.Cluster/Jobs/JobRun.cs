using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Jobs;

/// <summary>
/// A job's outer iteration between boxes, rebuilt from its events: the outer search of Core and the sweep state
/// (warm starts, work counts). <see cref="Apply"/> is the only way it changes, so a coordinator that replays its
/// journal is exactly where it was. Immutable.
/// </summary>
public sealed record JobRun(NeuralOdeModel Model, JobSettings Settings, OuterSearch Search, SweepState Sweep, int Step)
{
    /// <summary>The run before its first box.</summary>
    public static JobRun Start(NeuralOdeModel model, JobSettings settings) =>
        new(model, settings, OuterSearch.Start(settings.Question), SweepState.Empty(model.Samples.Count), 0);

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

    /// <summary>The work of the current box, or null when the outer iteration is done.</summary>
    public BoxWork? CurrentBox() => Search.Box is { } box ? new BoxWork(this, box.Lower, box.Upper) : null;
}

/// <summary>
/// The tasks of one box and the results collected so far. Each sample is either one <see cref="SolveSampleTask"/>
/// or one <see cref="ClimbTask"/> per start followed by a <see cref="FinishTask"/> once all its climbs are in;
/// samples proceed independently, so a sample's finish never waits for another sample's climbs. Results are
/// combined exactly as the single-process oracle combines them. Task ids are derived from the step, the sample and
/// the start, so a result of an earlier attempt (or of a coordinator before a crash) is recognised.
/// </summary>
public sealed class BoxWork
{
    private readonly JobRun _run;
    private readonly InnerResult?[] _results;
    private readonly Climb?[][] _climbs;
    private readonly Dictionary<string, (int Sample, int Start)> _open = [];

    /// <summary>Plans the box [lower, upper] of the run's current step.</summary>
    public BoxWork(JobRun run, double lower, double upper)
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
        for (var s = 0; s < samples; s++)
        {
            var warm = run.Sweep.WarmFor(s, lower, upper);
            if (!SampleSweep.Decomposes(run.Model, s, lower, upper, question, inner))
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
                tasks.Add(Track(new ClimbTask($"{run.Step}/climb/{s}/{k}", s, lower, upper, k, starts[k], polish), s, k));
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
    public BoxEvaluated Evaluated(string jobId) => new(jobId, _run.Step, Lower, Upper, _results.Select(r => r!).ToArray());

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
