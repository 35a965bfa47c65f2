using Akka.Actor;
using ActorContractivity.Cluster.Hosting;

namespace ActorContractivity.Deploy.Tests;

/// <summary>The join decision of Cluster Bootstrap, one round at a time.</summary>
public sealed class ClusterBootstrapTests
{
    private static readonly Address A = Address.Parse("akka.tcp://actorcontractivity@10.0.0.1:4053");
    private static readonly Address B = Address.Parse("akka.tcp://actorcontractivity@10.0.0.2:4053");
    private static readonly Address C = Address.Parse("akka.tcp://actorcontractivity@10.0.0.3:4053");
    private static readonly ContactPoint[] Three =
        [new("10.0.0.1", 8558), new("10.0.0.2", 8558), new("10.0.0.3", 8558)];

    private static readonly BootstrapSettings Settings = new() { RequiredContactPoints = 2 };

    [Fact]
    public void A_node_joins_the_members_any_node_reports_even_before_the_others_answer()
    {
        var answers = Answers((A, []), (B, [A.ToString(), B.ToString()]), (C, null));
        var decision = Assert.IsType<ClusterBootstrap.Decision.Join>(
            ClusterBootstrap.Decide(Three, answers, C, stable: false, Settings));
        Assert.Equal([A, B], decision.Members);
    }

    [Fact]
    public void Only_the_lowest_address_forms_a_cluster_once_every_node_answered_for_the_stable_margin()
    {
        var answers = Answers((A, []), (B, []), (C, []));
        Assert.IsType<ClusterBootstrap.Decision.FormNew>(Decide(answers, A));
        Assert.Contains(A.ToString(), Assert.IsType<ClusterBootstrap.Decision.Wait>(Decide(answers, B)).Reason);
        Assert.IsType<ClusterBootstrap.Decision.Wait>(Decide(answers, A, stable: false));
        var closed = new BootstrapSettings { RequiredContactPoints = 2, NewClusterEnabled = false };
        Assert.IsType<ClusterBootstrap.Decision.Wait>(ClusterBootstrap.Decide(Three, answers, A, true, closed));
    }

    [Fact]
    public void No_cluster_is_formed_while_a_discovered_node_is_silent_or_too_few_answered()
    {
        var silent = Answers((A, []), (B, []), (C, null));
        var wait = Assert.IsType<ClusterBootstrap.Decision.Wait>(Decide(silent, A));
        Assert.Contains("did not answer", wait.Reason);

        var one = Answers((A, []));
        var alone = Assert.IsType<ClusterBootstrap.Decision.Wait>(
            ClusterBootstrap.Decide([Three[0]], one, A, true, Settings));
        Assert.Contains("2 needed", alone.Reason);
    }

    private static ClusterBootstrap.Decision Decide(
        IReadOnlyDictionary<ContactPoint, ClusterBootstrap.SeedNodes?> answers, Address self, bool stable = true) =>
        ClusterBootstrap.Decide(Three, answers, self, stable, Settings);

    private static Dictionary<ContactPoint, ClusterBootstrap.SeedNodes?> Answers(
        params (Address Node, string[]? Members)[] answers) =>
        answers.ToDictionary(a => Three[Array.IndexOf(new[] { A, B, C }, a.Node)],
            a => a.Members is null ? null : new ClusterBootstrap.SeedNodes(a.Node.ToString(), a.Members));
}
