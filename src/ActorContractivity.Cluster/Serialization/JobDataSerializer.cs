using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Serialization;

/// <summary>
/// Writes <see cref="JobDataReply"/>, the one message that moves a model's weights to a node, without going
/// through Hyperion element by element: the job id and hash as UTF-8, the small settings through the catch-all
/// serializer, then the model's raw bytes (<see cref="ModelCodec"/>) in one block.
/// </summary>
public sealed class JobDataSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id (ids below 100 are Akka's own).</summary>
    public const int Id = 4711;

    private const string ReplyManifest = "jd";

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => o is JobDataReply
        ? ReplyManifest
        : throw new ArgumentException($"{GetType().Name} cannot serialize {o.GetType()}");

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var reply = (JobDataReply)obj;
        var settings = system.Serialization.FindSerializerForType(typeof(JobSettings)).ToBinary(reply.Settings);
        var id = Encoding.UTF8.GetBytes(reply.JobId);
        var hash = Encoding.UTF8.GetBytes(reply.Data.Hash);
        var bytes = new byte[16 + id.Length + hash.Length + settings.Length + reply.Data.Model.Length];
        var at = 0;
        foreach (var part in new[] { id, hash, settings })
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), part.Length);
            part.CopyTo(bytes, at + 4);
            at += 4 + part.Length;
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), reply.Data.Model.Length);
        reply.Data.Model.CopyTo(bytes, at + 4);
        return bytes;
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ReplyManifest)
        {
            throw new SerializationException($"unknown manifest '{manifest}' for {GetType().Name}");
        }

        var at = 0;
        var id = Encoding.UTF8.GetString(Next(bytes, ref at));
        var hash = Encoding.UTF8.GetString(Next(bytes, ref at));
        var settingsBytes = Next(bytes, ref at).ToArray();
        var model = Next(bytes, ref at).ToArray();
        var settings = (JobSettings)system.Serialization.FindSerializerForType(typeof(JobSettings))
            .FromBinary(settingsBytes, typeof(JobSettings));
        return new JobDataReply(id, settings, new JobData(model, hash));
    }

    private static ReadOnlySpan<byte> Next(byte[] bytes, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        var part = bytes.AsSpan(at + 4, length);
        at += 4 + length;
        return part;
    }
}
