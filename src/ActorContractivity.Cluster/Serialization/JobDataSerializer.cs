using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ActorContractivity.Cluster.Protocol;

namespace ActorContractivity.Cluster.Serialization;

/// <summary>
/// Writes <see cref="JobDataChunk"/>, the one message that moves a model's weights, without going through Hyperion
/// element by element: the job id and hash as UTF-8, index and count, the small settings (if any) through the
/// catch-all serializer, then the chunk's raw bytes (<see cref="ModelCodec"/>) in one block.
/// </summary>
public sealed class JobDataSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer id (ids below 100 are Akka's own).</summary>
    public const int Id = 4711;

    private const string ChunkManifest = "jc";

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <inheritdoc />
    public override string Manifest(object o) => o is JobDataChunk
        ? ChunkManifest
        : throw new ArgumentException($"{GetType().Name} cannot serialize {o.GetType()}");

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        var chunk = (JobDataChunk)obj;
        var settings = chunk.Settings is null ? [] : Settings.ToBinary(chunk.Settings);
        var id = Encoding.UTF8.GetBytes(chunk.JobId);
        var hash = Encoding.UTF8.GetBytes(chunk.Hash);
        var bytes = new byte[28 + id.Length + hash.Length + settings.Length + chunk.Bytes.Length];
        var at = 0;
        foreach (var part in new[] { id, hash, settings, chunk.Bytes })
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), part.Length);
            part.CopyTo(bytes, at + 4);
            at += 4 + part.Length;
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), chunk.Index);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 4), chunk.Count);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 8), chunk.Settings is null ? 0 : 1);
        return bytes;
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ChunkManifest)
        {
            throw new SerializationException($"unknown manifest '{manifest}' for {GetType().Name}");
        }

        var at = 0;
        var id = Encoding.UTF8.GetString(Next(bytes, ref at));
        var hash = Encoding.UTF8.GetString(Next(bytes, ref at));
        var settingsBytes = Next(bytes, ref at).ToArray();
        var data = Next(bytes, ref at).ToArray();
        var index = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4));
        var settings = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 8)) == 0
            ? null
            : (JobSettings)Settings.FromBinary(settingsBytes, typeof(JobSettings));
        return new JobDataChunk(id, hash, index, count, data, settings);
    }

    private Serializer Settings => system.Serialization.FindSerializerForType(typeof(JobSettings));

    private static ReadOnlySpan<byte> Next(byte[] bytes, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        var part = bytes.AsSpan(at + 4, length);
        at += 4 + length;
        return part;
    }
}
