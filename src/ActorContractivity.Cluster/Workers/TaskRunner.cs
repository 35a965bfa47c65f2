using ActorContractivity.Cluster.Protocol;
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
            CertifyTask t => new Certified(IntervalSolver.Certify(model, t.Estimate, inner, settings.Certify)),
            _ => throw new ArgumentException($"unknown task {task.GetType().Name}"),
        };
    }
}
