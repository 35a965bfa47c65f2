using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>A job's coordinator recovers from a real SQLite journal and finishes with the same answer.</summary>
public sealed class RecoverySpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("contractivity-journal-").FullName;

    [Fact]
    public void A_job_whose_node_stops_mid_job_resumes_from_the_sqlite_journal_and_gets_the_single_process_answer()
    {
        var model = TestModels.TimeSampled(4, 30, seed: 21);
        var job = ClusterJobSpecs.Job(CertifyMode.Off);
        var expected = IntervalSolver.Solve(model, job.Question, job.Inner, job.Certify);
        var jobId = "recovered";

        var reachedStep = new ManualResetEventSlim();
        var first = new TestNode(TestNode.WithSqlite(_directory));
        var running = Task.Run(() => first.Run(model, job, p =>
        {
            if (p.OuterStep >= 3)
            {
                reachedStep.Set();
            }
        }, jobId));
        Assert.True(reachedStep.Wait(TimeSpan.FromMinutes(1)), "the job did not reach outer step 3");
        first.Dispose();
        Assert.False(running.IsCompletedSuccessfully, "the job finished before its node stopped");

        var steps = new List<int>();
        using var second = new TestNode(TestNode.WithSqlite(_directory));
        var answer = Assert.IsType<JobCompleted>(second.Run(model, job, p => steps.Add(p.OuterStep), jobId)).Answer;

        Assert.True(steps.Count > 0 && steps[0] >= 3, $"the job restarted from step {steps.FirstOrDefault()}");
        ClusterJobSpecs.AssertSame(expected, answer);
        Assert.True(File.Exists(Path.Combine(_directory, "journal.db")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
