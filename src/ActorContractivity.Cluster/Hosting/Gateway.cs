using Akka.Actor;
using Akka.Cluster;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Hosting;

/// <summary>
/// The entry point of every node (<c>/user/gateway</c>) for clients inside or outside the cluster: submissions,
/// their chunks of data, watch and cancel requests go on to the job manager through its singleton proxy (which buffers
/// them while the singleton moves); a status request is answered with the manager's jobs and this node's view of
/// the members (none on a standalone node).
/// </summary>
public sealed class Gateway : ReceiveActor
{
    /// <summary>The actor's name under <c>/user</c>.</summary>
    public const string Name = "gateway";

    /// <summary>How long a status request waits for the job manager.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Creates the gateway in front of the job manager's proxy.</summary>
    public Gateway(IActorRef manager)
    {
        Receive<SubmitJob>(manager.Forward);
        Receive<JobDataChunk>(manager.Forward);
        Receive<WatchJob>(manager.Forward);
        Receive<CancelJob>(manager.Forward);
        ReceiveAsync<GetClusterStatus>(async request =>
        {
            var sender = Sender;
            MemberSummary[] members = ((ExtendedActorSystem)Context.System).Provider is ClusterActorRefProvider
                ? Akka.Cluster.Cluster.Get(Context.System).State.Members
                    .Select(m => new MemberSummary(
                        m.Address.ToString(), m.Status.ToString(), m.Roles.Order().ToArray()))
                    .ToArray()
                : [];
            try
            {
                var jobs = await manager.Ask<JobList>(request, StatusTimeout);
                sender.Tell(new ClusterStatus(jobs.Jobs, members, jobs.LiveWorkers));
            }
            catch (AskTimeoutException)
            {
                sender.Tell(new ClusterStatus([], members, -1));
            }
        });
    }
}
