using System.Globalization;
using Microsoft.Data.Sqlite;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Jobs;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
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

        // On the first node the tasks of the fifth box fail and are retried without end: the node stops with four
        // boxes in its journal.
        var reachedStep = new ManualResetEventSlim();
        RunTask stuck = (m, s, task, threads) => task.TaskId.StartsWith("4/", StringComparison.Ordinal)
            ? throw new InvalidOperationException("not on this node")
            : TaskRunner.Run(m, s, task, threads);
        var settings = TestNode.WithSqlite(_directory);
        settings.Dispatch.MaxAttempts = int.MaxValue;
        var first = new TestNode(settings, stuck);
        var running = first.Start(model, job, p =>
        {
            if (p.OuterStep >= 4)
            {
                reachedStep.Set();
            }
        }, jobId);
        Assert.True(reachedStep.Wait(TimeSpan.FromMinutes(1)), "the job did not reach outer step 4");
        first.Dispose();
        Assert.False(running.IsCompleted, "the job ended before its node stopped");

        var steps = new List<int>();
        using var second = new TestNode(TestNode.WithSqlite(_directory));
        var answer = Assert.IsType<JobCompleted>(second.Run(model, job, p => steps.Add(p.OuterStep), jobId)).Answer;

        Assert.Equal(4, steps.FirstOrDefault());
        ClusterJobSpecs.AssertSame(expected, answer);

        // The job manager's journal holds the job's settings and the hash of its data, the coordinator's the worst
        // cases of each box (warm starts: starts × n numbers per sample); the n² weights are stored once, by their
        // hash, beside the journal.
        var weights = ModelCodec.Encode(model).Length;
        Assert.InRange(Query("journal.db",
            $"SELECT max(length(message)) FROM journal WHERE persistence_id = '{JobManager.Id}'"), 100, 4096);
        Assert.InRange(Query("journal.db", "SELECT max(length(message)) FROM journal"), 100, weights - 1);
        Assert.Equal(weights, Query(JobDataStorage.SqliteFile,
            $"SELECT sum(length(bytes)) FROM {JobDataStorage.Table} "
            + $"WHERE hash = '{ModelCodec.ToJobData(model).Hash}'"));
    }

    private long Query(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, file)};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
