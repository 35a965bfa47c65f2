using ActorContractivity.Cluster.Shards;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// The queues of whole-sample solves in front of the nodes of a sharded job: own samples first, as many as a node
/// solves at once and one more; a node that ran dry takes from the node with the most left, once it holds a copy.
/// A solve is its sample's number here.
/// </summary>
public class SampleQueuesSpecs
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static SampleQueues<int> Queues(int a, int b, int slotsA = 1, int slotsB = 1)
    {
        var queues = new SampleQueues<int>(sample => sample);
        queues.SetSlots("a", slotsA);
        queues.SetSlots("b", slotsB);
        foreach (var sample in Enumerable.Range(0, a))
        {
            queues.Enqueue("a", sample);
        }

        foreach (var sample in Enumerable.Range(100, b))
        {
            queues.Enqueue("b", sample);
        }

        return queues;
    }

    [Fact]
    public void A_node_gets_its_own_samples_in_order_as_many_as_it_solves_at_once_and_one_more()
    {
        var queues = Queues(a: 6, b: 6, slotsA: 2);

        var (send, copy) = queues.Next(Now);

        Assert.Equal([("a", 0), ("a", 1), ("a", 2), ("b", 100), ("b", 101)], send);
        Assert.Empty(copy);
        Assert.Empty(queues.Next(Now).Send);
        queues.Finished("b");
        Assert.Equal([("b", 102)], queues.Next(Now).Send);
    }

    [Fact]
    public void A_node_that_ran_dry_takes_the_last_sample_of_the_fullest_queue_once_it_holds_a_copy()
    {
        var queues = Queues(a: 6, b: 2);
        queues.Next(Now);

        // b has both its samples on their way; one ends, so b has room and nothing of its own left.
        queues.Finished("b");
        var (send, copy) = queues.Next(Now);

        Assert.Empty(send);
        Assert.Equal([("b", 5)], copy);
        Assert.Equal(1, queues.Taken);
        // Nothing more is taken before that copy comes, however much room b has.
        queues.Finished("b");
        Assert.Equal(([], []), Flat(queues.Next(Now)));
        queues.Hold("b", 5);
        Assert.Equal([("b", 5)], queues.Next(Now).Send);
        // a still gets its samples from the front, and 5 is no longer among them.
        queues.Finished("a");
        queues.Finished("a");
        Assert.Equal([("a", 2), ("a", 3)], queues.Next(Now).Send);
    }

    [Fact]
    public void A_node_takes_a_sample_it_already_holds_a_copy_of_and_sends_it_at_once()
    {
        var queues = Queues(a: 6, b: 1);
        queues.Hold("b", 3);

        var (send, copy) = queues.Next(Now);

        Assert.Equal([("a", 0), ("a", 1), ("b", 100), ("b", 3)], send);
        Assert.Empty(copy);
        queues.Finished("b");
        queues.Finished("b");
        Assert.Equal([("b", 5)], queues.Next(Now).Copy);
    }

    [Fact]
    public void A_take_whose_copy_does_not_come_is_given_back_and_a_forgotten_node_returns_all_it_had()
    {
        var queues = Queues(a: 6, b: 0);
        Assert.Equal([("b", 5)], queues.Next(Now).Copy);

        Assert.Empty(queues.TakenLongerThan(TimeSpan.FromSeconds(10), Now.AddSeconds(5)));
        Assert.Equal([5], queues.TakenLongerThan(TimeSpan.FromSeconds(10), Now.AddSeconds(11)));

        queues.EnqueueFirst("a", 5);
        queues.Hold("b", 4);
        Assert.Equal([("b", 4)], queues.Next(Now).Send);
        Assert.Equal([5, 2, 3], queues.Forget("a"));
        Assert.Equal(["b"], queues.Hosts);
        Assert.False(queues.Holds("a", 4));
        Assert.True(queues.Holds("b", 4));
        queues.Drop("b", 4);
        Assert.False(queues.Holds("b", 4));
    }

    [Fact]
    public void Draining_returns_every_solve_not_sent_and_leaves_the_queues_empty()
    {
        var queues = Queues(a: 4, b: 3);
        queues.Next(Now);
        queues.Finished("b");
        Assert.Equal([("b", 102)], queues.Next(Now).Send);
        queues.Finished("b");
        Assert.Equal([("b", 3)], queues.Next(Now).Copy);

        var drained = queues.Drain();

        Assert.Equal([2, 3], drained.Order());
        Assert.Equal(([], []), Flat(queues.Next(Now)));
    }

    private static (string[] Send, string[] Copy) Flat(
        (IReadOnlyList<(string Host, int Task)> Send, IReadOnlyList<(string Host, int Task)> Copy) next) =>
        (next.Send.Select(s => $"{s.Host}{s.Task}").ToArray(), next.Copy.Select(c => $"{c.Host}{c.Task}").ToArray());
}
