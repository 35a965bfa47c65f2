using Akka.Actor;
using Akka.TestKit.Xunit2;
using ActorContractivity.Cluster.Data;
using ActorContractivity.Cluster.Hosting;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Workers;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>A node's cache of job data, with probes as its workers and as the store it fetches from.</summary>
public sealed class JobDataCacheSpecs()
    : TestKit(HostedActorSystem.Start(akka => akka.WithContractivitySerialization()))
{
    private static readonly JobSettings Job = ClusterJobSpecs.Job(CertifyMode.Off);

    [Fact]
    public void A_jobs_data_is_fetched_once_chunk_by_chunk_and_every_request_meanwhile_waits_for_that_fetch()
    {
        // Two samples of 300 × 300 weights: 1.44 MB, two chunks.
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(2, 300, seed: 3));
        Assert.Equal(2, JobDataStorage.ChunkCount(data.Model.Length));
        var cache = Sys.ActorOf(Props.Create(() => new JobDataCache()));
        var source = CreateTestProbe();
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        cache.Tell(new JobDataCache.GetModel("job", data.Hash, source), first);
        cache.Tell(new JobDataCache.GetModel("job", data.Hash, source), second);
        Assert.Equal(0, source.ExpectMsg<FetchJobData>().Chunk);
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        cache.Tell(Chunk(data, 0), source);
        Assert.Equal(1, source.ExpectMsg<FetchJobData>().Chunk);
        cache.Tell(Chunk(data, 1), source);

        foreach (var worker in new[] { first, second })
        {
            var ready = worker.ExpectMsg<JobDataCache.ModelReady>();
            Assert.Equal(data.Model, ModelCodec.Encode(ready.Model));
            Assert.Equal(Job, ready.Settings);
        }

        // Now it is local: a third request is answered without a fetch.
        var third = CreateTestProbe();
        cache.Tell(new JobDataCache.GetModel("job", data.Hash, source), third);
        Assert.Equal(data.Hash, third.ExpectMsg<JobDataCache.ModelReady>().Hash);
        source.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Data_that_does_not_match_its_hash_is_dropped_and_nobody_gets_a_model()
    {
        var data = ModelCodec.ToJobData(TestModels.TimeSampled(2, 8, seed: 3));
        var forged = new string('0', data.Hash.Length);
        var cache = Sys.ActorOf(Props.Create(() => new JobDataCache()));
        var source = CreateTestProbe();
        var worker = CreateTestProbe();

        cache.Tell(new JobDataCache.GetModel("job", forged, source), worker);
        source.ExpectMsg<FetchJobData>();
        cache.Tell(Chunk(data, 0) with { Hash = forged }, source);

        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    private static JobDataChunk Chunk(JobData data, int index) =>
        new("job", data.Hash, index, JobDataStorage.ChunkCount(data.Model.Length),
            JobDataStorage.Slice(data.Model, index).ToArray(), Job);
}
