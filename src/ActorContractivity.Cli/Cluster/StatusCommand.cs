using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cli.Reporting;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// <c>actorcontractivity status [--cluster HOST:PORT] [JOB]</c>: the members and jobs of a cluster. Exit codes: 0
/// shown, 1 no job manager answered or the job asked for is not on the cluster, 2 bad usage or no node answered.
/// </summary>
public static class StatusCommand
{
    /// <summary>The node asked when no --cluster is given.</summary>
    public const string DefaultCluster = "127.0.0.1:4053";

    /// <summary>Exit code: the job asked for is not known to the cluster.</summary>
    public const int NoSuchJob = 1;

    /// <summary>How long the node has to answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cluster = new Option<string>("--cluster")
        {
            Description = "A node of the cluster, HOST:PORT.",
            DefaultValueFactory = _ => DefaultCluster,
        };
        var job = new Argument<string?>("JOB") { Description = "Show this job only.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "List the members of a cluster and its jobs.");
        command.Options.Add(cluster);
        command.Arguments.Add(job);
        command.SetAction(parse => Run(HostPort.Parse("--cluster", parse.GetValue(cluster)!), parse.GetValue(job),
            output, error));
        return command;
    }

    /// <summary>
    /// Asks the gateway of the node at <paramref name="address"/> from a client host that lives for the question
    /// (settings checked first); an <see cref="AskTimeoutException"/> means no node answered.
    /// </summary>
    internal static T AskGateway<T>(string address, Func<ActorSelection, Task<T>> ask)
    {
        var settings = NodeChecks.Load();
        using var host = ContractivityNode.Client(settings);
        host.Start();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            return ask(JobClient.Gateway(system, settings, address)).GetAwaiter().GetResult();
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>The line for a question to <paramref name="address"/> that no node answered.</summary>
    internal static string NoAnswer(string address) =>
        $"--cluster: no node answered at {address} within {Timeout.TotalSeconds:0} s";

    private static int Run(string address, string? jobId, TextWriter output, TextWriter error)
    {
        try
        {
            var status = AskGateway(address, gateway => JobClient.StatusAsync(gateway, jobId, Timeout));
            Write(output, status, jobId);
            if (jobId is not null && status.Jobs.Count == 0)
            {
                error.WriteLine(NoManager(status)
                    ? $"JOB: no job manager answered at {address}, so job '{jobId}' cannot be shown"
                    : $"JOB: the cluster at {address} has no job '{jobId}'");
                return NoSuchJob;
            }

            if (NoManager(status))
            {
                error.WriteLine($"--cluster: no job manager answered at {address}, so its jobs cannot be listed "
                    + "(a coordinator node may be down or still starting)");
                return NoSuchJob;
            }

            return CliApplication.Found;
        }
        catch (AskTimeoutException)
        {
            error.WriteLine(NoAnswer(address));
            return CliApplication.BadInput;
        }
    }

    /// <summary>Whether no job manager answered the gateway (it then reports −1 live workers).</summary>
    private static bool NoManager(ClusterStatus status) => status.LiveWorkers < 0;

    /// <summary>The members, then the jobs: all of them, or those with the id asked for.</summary>
    private static void Write(TextWriter output, ClusterStatus status, string? jobId)
    {
        var culture = CultureInfo.InvariantCulture;
        var workers = NoManager(status) ? "unknown (no job manager answered)" : $"{status.LiveWorkers}";
        output.WriteLine($"members: {status.Members.Count}, live workers: {workers}");
        foreach (var member in status.Members)
        {
            output.WriteLine($"  {member.Address}  {member.Status}  [{string.Join(',', member.Roles)}]");
        }

        var count = NoManager(status) && status.Jobs.Count == 0 ? "unknown" : $"{status.Jobs.Count}";
        output.WriteLine(jobId is null ? $"jobs: {count}" : $"jobs with id '{jobId}': {count}");
        foreach (var job in status.Jobs)
        {
            var detail = job.State switch
            {
                "done" when job.Answer is { } a => a.Feasible
                    ? string.Create(culture, $"[{a.Lower:G10}, {a.Upper:G10}] {CertifyReport.StatusName(a.Status)}")
                    : "no interval exists",
                "failed" => job.Failure ?? "",
                _ => job.Progress is { } p ? ProgressDisplay.Describe(p) : "starting",
            };
            output.WriteLine(string.Create(culture, $"  {job.JobId}  {job.State}  {job.SubmittedUtc:u}  {detail}"));
        }
    }
}
