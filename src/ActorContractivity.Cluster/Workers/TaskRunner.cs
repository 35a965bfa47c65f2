using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Workers;

/// <summary>Turns a task into the Core call it names, and the call's result into a task outcome.</summary>
public static class TaskRunner
{
    /// <summary>Runs a task of a job; <paramref name="threads"/> bounds the threads Core may use inside it.</summary>
    public static TaskOutcome Run(NeuralOdeModel model, JobSettings settings, TaskSpec task, int threads)
    {
        var question = settings.Question;
        var inner = settings.Inner with { MaxDegreeOfParallelism = threads };
        return task switch
        {
            SolveSampleTask t => new SampleSolved(
                SampleSweep.Solve(model, t.Sample, t.Lower, t.Upper, question, inner, t.Warm)),
            ClimbTask t => new Climbed(InnerSolver.ClimbFrom(model.Samples[t.Sample], t.Sample, t.Lower, t.Upper,
                question.DiscreteStep, inner, t.Start, t.From, t.Polish)),
            FinishTask t => new SampleSolved(InnerSolver.Finish(model.Samples[t.Sample], t.Sample, t.Lower, t.Upper,
                question.DiscreteStep, inner, t.Climbs)),
            BoundTask t => new BoundFound(BoundCertifier.Find(model, question, t.WitnessEnd, inner.Lanczos, inner.Seed,
                t.Seconds)),
            SplitTask t => new PartSearched(PartitionedDecision.Split(model.Samples[t.Sample], question, t.Theta,
                Left(t.MaxSeconds, t.Until), inner.Seed, t.Incumbent, threads, t.MaxNodes)),
            SubtreeTask t => new PartSearched(PartitionedDecision.Search(model.Samples[t.Sample], question, t.Theta,
                Left(t.MaxSeconds, t.Until), inner.Seed, t.Incumbent, t.Subtree, t.Multipliers, t.MaxNodes)),
            _ => throw new ArgumentException($"unknown task {task.GetType().Name}"),
        };
    }

    /// <summary>The seconds a decision's task may take: its own, and no more than is left of the deadline.</summary>
    private static double Left(double seconds, DateTime? until) =>
        until is { } deadline ? Math.Min(seconds, Math.Max((deadline - DateTime.UtcNow).TotalSeconds, 0)) : seconds;
}
