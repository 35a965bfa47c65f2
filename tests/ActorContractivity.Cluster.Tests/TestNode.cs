using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorContractivity.Cluster.Client;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Tests;

/// <summary>A one-node cluster built by the production hosting extensions, for specs that run whole jobs.</summary>
public sealed class TestNode : IDisposable
{
    private readonly IHost _host;

    /// <summary>Starts a node with the given settings (default: in-process settings, two workers).</summary>
    public TestNode(ContractivitySettings? settings = null, RunTask? run = null)
    {
        Settings = settings ?? ContractivityNode.InProcess(workers: 2);
        _host = ContractivityNode.Build(Settings, quiet: true, run);
        _host.Start();
        System = _host.Services.GetRequiredService<ActorSystem>();
        Gateway = _host.Services.GetRequiredService<IActorRegistry>().Get<Gateway>();
    }

    /// <summary>The node's settings.</summary>
    public ContractivitySettings Settings { get; }

    /// <summary>The node's actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The node's gateway.</summary>
    public IActorRef Gateway { get; }

    /// <summary>Settings of a one-node cluster with a SQLite journal in <paramref name="directory"/>.</summary>
    public static ContractivitySettings WithSqlite(string directory, int workers = 2)
    {
        var settings = ContractivityNode.InProcess(workers);
        settings.Persistence.Provider = PersistenceProviders.Sqlite;
        settings.Persistence.DataDirectory = directory;
        return settings;
    }

    /// <summary>Runs a job to its outcome within two minutes.</summary>
    public IJobMessage Run(NeuralOdeModel model, JobSettings job, Action<JobProgress>? progress = null,
        string? jobId = null)
    {
        var outcome = JobClient.RunAsync(System, Gateway, model, job, progress ?? (_ => { }),
            TimeSpan.FromSeconds(30), jobId);
        Assert.True(outcome.Wait(TimeSpan.FromMinutes(2)), "the job did not finish within two minutes");
        return outcome.Result;
    }

    /// <summary>Stops the node without leaving the cluster (as a crash would, but in-process).</summary>
    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(10));
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }
}
