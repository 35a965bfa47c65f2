using System.CommandLine;
using Akka.Actor;
using ActorContractivity.Cli.Loading;
using ActorContractivity.Cluster.Client;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// <c>actorcontractivity cancel [--cluster HOST:PORT] JOB</c>: ends a running job as failed; a client that follows
/// it gets the failure, and the job's tasks and shards are dropped. Exit codes: 0 cancelled, 1 no such job or the job
/// had already ended, 2 bad usage or no answer from the cluster.
/// </summary>
public static class CancelCommand
{
    /// <summary>Exit code: the cluster has no such job, or the job had already ended.</summary>
    public const int NotRunning = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = "A node of the cluster, HOST:PORT.",
            DefaultValueFactory = _ => StatusCommand.DefaultCluster,
        };
        var job = new Argument<string>("JOB") { Description = "The job to cancel (its id is in the progress line)." };
        var command = new Command("cancel", "Cancel a job running on a cluster.");
        command.Options.Add(cluster);
        command.Arguments.Add(job);
        command.SetAction(parse => Run(HostPort.Parse("--cluster", parse.GetValue(cluster)!), parse.GetValue(job)!,
            output, error));
        return command;
    }

    private static int Run(string address, string jobId, TextWriter output, TextWriter error)
    {
        if (jobId.Length == 0 || jobId.StartsWith('-'))
        {
            throw new InputException(jobId.Length == 0
                ? "JOB: the job id is empty"
                : $"JOB: expected a job id (the one in the progress line), got the option-like '{jobId}'");
        }

        try
        {
            var reply = StatusCommand.AskGateway(address,
                gateway => JobClient.CancelAsync(gateway, jobId, StatusCommand.Timeout));
            switch (reply.State)
            {
                case null:
                    error.WriteLine($"JOB: the cluster at {address} has no job '{jobId}'");
                    return NotRunning;
                case "running":
                    output.WriteLine($"job {jobId}: cancelled");
                    return CliApplication.Found;
                default:
                    error.WriteLine($"JOB: job '{jobId}' has already ended ({reply.State}); nothing was cancelled");
                    return NotRunning;
            }
        }
        catch (AskTimeoutException)
        {
            error.WriteLine(StatusCommand.NoAnswer(address));
            return CliApplication.BadInput;
        }
    }
}
