using System.Reflection;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Serialization;
using ActorContractivity.Cluster.Protocol;
using ActorContractivity.Cluster.Serialization;
using ActorContractivity.Core.Blocks;
using ActorContractivity.Core.Certify;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Outer;

namespace ActorContractivity.Cluster.Tests;

/// <summary>Every protocol message and event survives the serializers the nodes are configured with.</summary>
public sealed class SerializationSpecs : IDisposable
{
    private readonly TestNode _node = new();

    public static IEnumerable<Type> ProtocolTypes() =>
        typeof(IContractivityMessage).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && t.Namespace == typeof(IJobMessage).Namespace)
            .Where(t => typeof(IContractivityMessage).IsAssignableFrom(t) || typeof(IJobEvent).IsAssignableFrom(t)
                || typeof(TaskSpec).IsAssignableFrom(t) || typeof(TaskOutcome).IsAssignableFrom(t))
            .OrderBy(t => t.Name);

    [Fact]
    public void Every_protocol_type_has_an_example_so_none_is_left_out_of_the_round_trip()
    {
        var examples = Examples(_node.System).Select(e => e.GetType()).ToHashSet();
        Assert.Empty(ProtocolTypes().Where(t => !examples.Contains(t)).Select(t => t.Name));
    }

    [Fact]
    public void Every_protocol_message_and_event_round_trips_through_the_configured_serializer()
    {
        var serialization = _node.System.Serialization;
        foreach (var example in Examples(_node.System))
        {
            var serializer = serialization.FindSerializerFor(example);
            var bytes = serializer.ToBinary(example);
            var back = serializer is SerializerWithStringManifest manifest
                ? manifest.FromBinary(bytes, manifest.Manifest(example))
                : serializer.FromBinary(bytes, example.GetType());

            Assert.IsType(example.GetType(), back);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(serializer.ToBinary(back)));
        }
    }

    [Fact]
    public void Job_data_is_written_by_the_raw_byte_serializer_and_everything_else_by_hyperion()
    {
        var serialization = _node.System.Serialization;
        var chunks = Examples(_node.System).OfType<JobDataChunk>().ToArray();
        Assert.All(chunks, chunk => Assert.IsType<JobDataSerializer>(serialization.FindSerializerFor(chunk)));
        Assert.Equal("HyperionSerializer",
            serialization.FindSerializerFor(new ForgetJob("j")).GetType().Name);

        // 2 samples × one 12×12 layer: 2352 bytes of weights, and little besides (the settings, in one of them).
        foreach (var chunk in chunks)
        {
            var bytes = serialization.FindSerializerFor(chunk).ToBinary(chunk);
            Assert.Equal(2352, chunk.Bytes.Length);
            Assert.InRange(bytes.Length - chunk.Bytes.Length, 0, 2000);
        }
    }

    [Fact]
    public void The_model_codec_gives_back_the_same_weights_and_names_them_by_their_hash()
    {
        var model = TestModels.TimeSampled(3, 5, seed: 1);
        var data = ModelCodec.ToJobData(model);
        var back = ModelCodec.Decode(data.Model);

        Assert.Equal(data.Model, ModelCodec.Encode(back));
        Assert.Equal(model.Samples.Select(s => s.Time), back.Samples.Select(s => s.Time));
        Assert.Equal(model.Samples[2].Layers[0].RowMajorValues.ToArray(),
            back.Samples[2].Layers[0].RowMajorValues.ToArray());
        Assert.Equal(data.Hash, ModelCodec.ToJobData(back).Hash);
    }

    public void Dispose() => _node.Dispose();

    private static IEnumerable<object> Examples(ActorSystem system)
    {
        var model = TestModels.TimeSampled(2, 12, seed: 2);
        var settings = ClusterJobSpecs.Job(CertifyMode.Bound);
        var answer = IntervalSolver.Solve(model, settings.Question, settings.Inner, settings.Certify);
        var data = ModelCodec.ToJobData(model);
        var actor = system.DeadLetters;
        var warm = new WarmStart([0.5, 1.0], [0.6, 0.8]);
        var climb = new Climb(new Evaluation(-0.1, [0.6, 0.8], [0.1, -0.2], 1e-12, 7), [0.5, 1.0], 3, 4, 28);
        var result = SampleSweep.Solve(model, 0, 0.5, 1, settings.Question, settings.Inner, null);
        var progress = new JobProgress("j", "searching", 3, 0.4, 0.5, -0.01, 10, 20, 2);
        var piece = new ShardPiece(0, 0, 1, 0);
        var climbId = (2L << 32) | 5;
        TaskSpec[] tasks =
        [
            new SolveSampleTask("0/solve/0", 0, 1, 1, [warm]),
            new ClimbTask("1/climb/0/0", 0, 0.5, 1, 0, warm, true),
            new FinishTask("1/finish/0", 0, 0.5, 1, [climb, climb]),
            new BoundTask("c1/bound", 0.5, 60),
            new SplitTask("c0/split/0", 0, 0.5, [0.5, 1.0], double.PositiveInfinity),
            new SubtreeTask("c0/tree/0/1", 0, 0.5, null, new Subtree([1, 0], [true, false]), 60),
            new SplitTask("c2/split/0", 0, 0.5, null, 1, DateTime.UnixEpoch.AddSeconds(1), 40),
            new SubtreeTask("c2/tree/0/0", 0, 0.5, null, Subtree.Root, 0.5, DateTime.UnixEpoch.AddSeconds(1), null, 12),
        ];
        var certificate = new SafeEndCertificate(0.55, -0.01, 3, [[1.0, 2.0], [0.5, 0.25]]);
        var part = new DecisionPart(false, true, -0.2, [0.5, 1.0], 7, 0.25, [new Subtree([1], [true])]);
        TaskOutcome[] outcomes =
        [
            new SampleSolved(result), new Climbed(climb), new BoundFound(certificate), new PartSearched(part),
        ];
        var violation = new BoxDecision(DecisionOutcome.Violated, answer.Witness, 1, 12);
        var summary = new JobSummary("j", "done", DateTime.UnixEpoch, progress, answer, null);
        object[] messages =
        [
            new SubmitJob("j", settings, data.Hash, data.Model.Length, actor),
            new SendJobData("j", data.Hash, 0),
            new WatchJob("j", actor),
            new JobAccepted("j"),
            new JobRejected("j", "reason"),
            progress,
            new JobCompleted("j", answer),
            new JobFailed("j", "reason"),
            new CancelJob("j"),
            new CancelReply("j", "running"),
            new CancelReply("j", null),
            new GetClusterStatus("j"),
            new JobList([summary], 2),
            new ClusterStatus([summary], [new MemberSummary("akka.tcp://a@h:1", "Up", ["worker"])], 2),
            new EnqueueTasks("j", data.Hash, tasks),
            new TaskCompleted("j", "t", outcomes[0], 2),
            new TaskGaveUp("j", "t", "boom"),
            new ForgetJob("j"),
            new CancelTasks("j", ["c0/tree/0/1"]),
            new RequestWork(actor),
            new WorkAssigned("j", "t", 1, data.Hash, tasks[1]),
            new WorkInProgress("j", "t", 1),
            new WorkCompleted("j", "t", 1, outcomes[1]),
            new WorkFailed("j", "t", 1, "boom"),
            new WorkRejected("j", "t", 1),
            new FetchJobData("j", data.Hash, 0),
            new JobDataChunk("j", data.Hash, 0, 1, data.Model, settings),
            new JobDataChunk("j", data.Hash, 0, 1, data.Model, null),
            new JobSettings(settings.Question, settings.Inner, settings.Certify, new ShardOptions(4, 1L << 30)),
            new BuildShards("j", data.Hash, [piece], [new PieceLayout(0.5, 1, [new LayerSpan(28, 12, 12)])],
                [new ChunkHash(0, SHA256.HashData(data.Model))]),
            new ShardsBuilt("j", [piece], [actor], 2),
            new SolveOnShard("j", "1/solve/0", 2, 0.5, 1, [warm]),
            new ShardSolved("j", "1/solve/0", 2, result, null),
            new ShardSolved("j", "1/solve/0", 3, null, "boom"),
            new BlockOpen(climbId, 0.5, 1, [0.5, 1.0], []),
            new BlockForward(climbId, [0.6, 0.8]),
            new BlockBackward(climbId, [0.6, 0.8]),
            new BlockKeepGradient(climbId, 0.25),
            new BlockKeepGradient(climbId, null),
            new BlockAccept(climbId),
            new BlockProposeStep(climbId, 0.125),
            new BlockProposeVertex(climbId),
            new BlockProposeFlip(climbId, 1),
            new BlockIsVertex(climbId),
            new BlockCountGradient(climbId, double.PositiveInfinity),
            new BlockFlipCandidates(climbId, 3, -0.1, [0.6, 0.8]),
            new BlockRead(climbId),
            new BlockClose(climbId),
            new BlockVector([0.6, 0.8]),
            new BlockAnswer(false, 7),
            new BlockCandidates([new FlipCandidate(1, 0.5), new FlipCandidate(0, 0.25)]),
            new BlockSlices([0.5, 1.0], [0.1, -0.2]),
            new JobRegistered("j", settings, data.Hash, data.Model.Length, DateTime.UnixEpoch),
            new JobEnded("j", answer, null),
            new BoxEvaluated("j", 1, 0.5, 1, [result, result]),
            new CertifyDecided("j", 0, violation, 0.5),
            new CertifyBounded("j", 1, certificate, 0.5),
            new MemberSummary("akka.tcp://a@h:1", "Up", ["worker"]),
            summary,
        ];
        return messages.Concat(tasks).Concat(outcomes);
    }
}
