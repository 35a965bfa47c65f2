using ActorContractivity.Cluster.Data;

namespace ActorContractivity.Cluster.Tests;

/// <summary>The chunks a fetcher asks for: one until the count is known, then a window ahead, in order only.</summary>
public sealed class ChunkWindowSpecs
{
    [Fact]
    public void One_chunk_is_asked_for_first_then_a_window_ahead_of_the_one_waited_for()
    {
        var window = new ChunkWindow();
        Assert.Equal([0], window.Open());
        Assert.True(window.Accept(0, count: 10));
        Assert.Equal([1, 2, 3, 4], window.More());
        Assert.True(window.Accept(1, 10));
        Assert.Equal([5], window.More());
        Assert.Empty(window.More());
        Assert.Equal(2, window.Next);
    }

    [Fact]
    public void Chunks_out_of_order_or_again_are_refused_and_a_stall_asks_again_from_the_one_waited_for()
    {
        var window = new ChunkWindow();
        window.Open();
        Assert.True(window.Accept(0, 10));
        window.More();
        Assert.False(window.Accept(2, 10)); // chunk 1 was lost
        Assert.False(window.Accept(0, 10)); // a duplicate
        Assert.Equal(1, window.Next);
        Assert.Equal([1, 2, 3, 4], window.Open());
    }

    [Fact]
    public void The_window_stops_at_the_last_chunk()
    {
        var window = new ChunkWindow();
        window.Open();
        Assert.True(window.Accept(0, 3));
        Assert.Equal([1, 2], window.More());
        Assert.True(window.Accept(1, 3));
        Assert.True(window.Accept(2, 3));
        Assert.Empty(window.More());
        Assert.Equal(3, window.Next);
    }
}
