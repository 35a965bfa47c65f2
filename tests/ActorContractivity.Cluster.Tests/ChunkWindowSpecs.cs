using ActorContractivity.Cluster.Data;

namespace ActorContractivity.Cluster.Tests;

/// <summary>
/// The chunks a fetcher asks for: of all chunks, one until the count is known, then a window ahead; of a given list,
/// a window ahead from the start; in order only.
/// </summary>
public sealed class ChunkWindowSpecs
{
    [Fact]
    public void One_chunk_is_asked_for_first_then_a_window_ahead_of_the_one_waited_for()
    {
        var window = new ChunkWindow(size: 4);
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
        var window = new ChunkWindow(size: 4);
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
        var window = new ChunkWindow(size: 4);
        window.Open();
        Assert.True(window.Accept(0, 3));
        Assert.Equal([1, 2], window.More());
        Assert.True(window.Accept(1, 3));
        Assert.True(window.Accept(2, 3));
        Assert.Empty(window.More());
        Assert.Equal(3, window.Next);
    }

    [Fact]
    public void A_window_over_a_list_walks_only_its_chunks_a_window_ahead_from_the_start()
    {
        var window = new ChunkWindow([2, 3, 7, 8, 9, 12], size: 4);
        Assert.Equal(2, window.Next);
        Assert.Equal([2, 3, 7, 8], window.Open());
        Assert.False(window.Accept(3, count: 20)); // chunk 2 was lost
        Assert.True(window.Accept(2, 20));
        Assert.Equal([9], window.More());
        Assert.True(window.Accept(3, 20));
        Assert.True(window.Accept(7, 20));
        Assert.Equal([12], window.More());
        Assert.Equal(8, window.Next);
        Assert.Equal([8, 9, 12], window.Open()); // after a stall
        Assert.True(window.Accept(8, 20));
        Assert.True(window.Accept(9, 20));
        Assert.False(window.Done);
        Assert.True(window.Accept(12, 20));
        Assert.True(window.Done);
        Assert.False(window.Accept(13, 20));
        Assert.Empty(window.More());
        Assert.Equal(13, window.Next);
    }

    [Fact]
    public void A_window_over_all_chunks_is_done_once_the_last_arrived()
    {
        var window = new ChunkWindow(size: 4);
        Assert.False(window.Done);
        window.Open();
        Assert.True(window.Accept(0, 1));
        Assert.True(window.Done);
        Assert.Empty(window.More());
    }

    [Fact]
    public void A_list_of_chunks_must_be_ascending_and_not_empty()
    {
        Assert.Throws<ArgumentException>(() => new ChunkWindow([]));
        Assert.Throws<ArgumentException>(() => new ChunkWindow([3, 3]));
        Assert.Throws<ArgumentException>(() => new ChunkWindow([4, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkWindow(size: 0));
    }
}
