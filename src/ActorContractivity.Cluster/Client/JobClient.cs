using Akka.Actor;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Client;

/// <summary>
/// Submits jobs to a cluster's gateway and follows them: a short-lived watcher actor submits (the job's settings and
/// the hash of its data), sends the chunks of data the cluster's store asks for, resubmits until the job is
/// accepted (the job manager may be moving), asks again to watch every few seconds (so a coordinator that restarted
/// elsewhere keeps reporting), passes progress on, and ends with the job's outcome. It watches the gateway's node:
/// when that node stops or is lost, the run ends with a <see cref="NodeLostException"/> instead of waiting on. A
/// running job's coordinator answers every watch request with its progress, so an accepted job that sends nothing for
/// <see cref="SilenceNotice"/> has lost its coordinator (or its node is overloaded): the run says so once, through
/// its <c>silent</c> callback, and waits on, since the job resumes when a coordinator node returns with its data.
/// </summary>
public static class JobClient
{
    /// <summary>How often the watcher repeats its submission or its watch request.</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromSeconds(2);

    /// <summary>How long an accepted job may send nothing before the run says so.</summary>
    public static readonly TimeSpan SilenceNotice = TimeSpan.FromSeconds(30);

    /// <summary>The gateway of the node at HOST:PORT.</summary>
    public static ActorSelection Gateway(ActorSystem system, ContractivitySettings settings, string hostPort) =>
        system.ActorSelection(
            $"{(settings.Tls.Enabled ? "akka.ssl.tcp" : "akka.tcp")}://{settings.SystemName}@{hostPort}"
            + $"/user/{Hosting.Gateway.Name}");

    /// <summary>
    /// Runs a job and returns its outcome: <see cref="JobCompleted"/>, <see cref="JobFailed"/> or
    /// <see cref="JobRejected"/>; the task fails with a <see cref="TimeoutException"/> when the job is not accepted
    /// within <paramref name="acceptTimeout"/>. <paramref name="progress"/> is called from an actor thread, and so is
    /// <paramref name="silent"/>, with the time since the job last sent anything, once per silence of
    /// <see cref="SilenceNotice"/> or more.
    /// </summary>
    public static Task<IJobMessage> RunAsync(
        ActorSystem system, ICanTell gateway, NeuralOdeModel model, JobSettings settings, Action<JobProgress> progress,
        TimeSpan acceptTimeout, string? jobId = null, Action<TimeSpan>? silent = null)
    {
        var outcome = new TaskCompletionSource<IJobMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = jobId ?? Guid.NewGuid().ToString("N")[..12];
        var data = ModelCodec.ToJobData(model);
        var deadline = DateTime.UtcNow + acceptTimeout;
        system.ActorOf(Props.Create(
            () => new Watcher(gateway, id, settings, data, progress, silent, outcome, deadline)));
        return outcome.Task;
    }

    /// <summary>Asks a gateway to cancel a job.</summary>
    public static Task<CancelReply> CancelAsync(ActorSelection gateway, string jobId, TimeSpan timeout) =>
        gateway.Ask<CancelReply>(new CancelJob(jobId), timeout);

    /// <summary>Asks a gateway for the jobs and members it knows.</summary>
    public static Task<ClusterStatus> StatusAsync(ActorSelection gateway, string? jobId, TimeSpan timeout) =>
        gateway.Ask<ClusterStatus>(new GetClusterStatus(jobId), timeout);

    private sealed class Watcher : ReceiveActor, IWithTimers
    {
        private bool _accepted;
        private bool _watching;
        private DateTime _lastChunk = DateTime.MinValue;
        private DateTime _lastNews = DateTime.UtcNow;
        private bool _toldSilent;

        public Watcher(
            ICanTell gateway, string jobId, JobSettings settings, JobData data, Action<JobProgress> progress,
            Action<TimeSpan>? silent, TaskCompletionSource<IJobMessage> outcome, DateTime acceptBy)
        {
            var submit = new SubmitJob(jobId, settings, data.Hash, data.Model.LongLength, Self);
            var count = JobDataStorage.ChunkCount(data.Model.LongLength);
            Receive<Repeat>(_ =>
            {
                if (!_accepted && DateTime.UtcNow > acceptBy)
                {
                    outcome.TrySetException(new TimeoutException("no cluster accepted the job"));
                    Context.Stop(Self);
                    return;
                }

                var quiet = DateTime.UtcNow - _lastNews;
                if (_accepted && !_toldSilent && quiet >= SilenceNotice)
                {
                    _toldSilent = true;
                    silent?.Invoke(quiet);
                }

                // The gateway may not be up yet when the watcher starts: it is identified (to be watched) until it is.
                if (!_watching)
                {
                    gateway.Tell(new Identify(jobId), Self);
                }

                // While the data is being uploaded the store is asking for chunks: the submission is not repeated.
                if (_accepted || DateTime.UtcNow - _lastChunk > RepeatEvery)
                {
                    gateway.Tell(_accepted ? new WatchJob(jobId, Self) : submit, Self);
                }
            });
            Receive<SendJobData>(send => send.Hash == data.Hash && send.Chunk >= 0 && send.Chunk < count, send =>
            {
                _lastChunk = DateTime.UtcNow;
                News();
                gateway.Tell(new JobDataChunk(jobId, data.Hash, send.Chunk, count,
                    JobDataStorage.Slice(data.Model, send.Chunk).ToArray(), null), Self);
            });
            Receive<JobAccepted>(_ =>
            {
                _accepted = true;
                News();
            });
            Receive<ActorIdentity>(identity =>
            {
                if (identity.Subject is { } node && !_watching)
                {
                    Context.Watch(node);
                    _watching = true;
                }
            });
            Receive<Terminated>(_ =>
            {
                outcome.TrySetException(new NodeLostException());
                Context.Stop(Self);
            });
            Receive<JobProgress>(report =>
            {
                News();
                progress(report);
            });
            Receive<JobCompleted>(done => Finish(outcome, done));
            Receive<JobFailed>(failed => Finish(outcome, failed));
            Receive<JobRejected>(rejected => Finish(outcome, rejected));
            gateway.Tell(submit, Self);
            gateway.Tell(new Identify(jobId), Self);
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("repeat", Repeat.Instance, RepeatEvery);

        private void News()
        {
            _lastNews = DateTime.UtcNow;
            _toldSilent = false;
        }

        private void Finish(TaskCompletionSource<IJobMessage> outcome, IJobMessage message)
        {
            outcome.TrySetResult(message);
            Context.Stop(Self);
        }

        private sealed class Repeat
        {
            public static readonly Repeat Instance = new();
        }
    }
}

/// <summary>The node a client submitted its job to stopped or was lost; the job may go on in the cluster.</summary>
public sealed class NodeLostException() : Exception("the cluster node the job was submitted to stopped or was lost");
