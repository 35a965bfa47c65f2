using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Protocol;

/// <summary>
/// A model as bytes: per sample its time and layers, per layer its shape and its row-major values as raw
/// little-endian doubles (block copies, no per-element encoding). The SHA-256 of the bytes names the model.
/// </summary>
public static class ModelCodec
{
    /// <summary>The version of the layout, the first four bytes.</summary>
    public const int Version = 1;

    /// <summary>The job data of a model.</summary>
    public static JobData ToJobData(NeuralOdeModel model)
    {
        var bytes = Encode(model);
        return new JobData(bytes, Convert.ToHexString(SHA256.HashData(bytes)));
    }

    /// <summary>The model's bytes.</summary>
    public static byte[] Encode(NeuralOdeModel model)
    {
        var size = 8L;
        foreach (var sample in model.Samples)
        {
            size += 12 + sample.Layers.Sum(l => 8L + 8L * l.Rows * l.Cols);
        }

        var bytes = new byte[size];
        var at = 0;
        WriteInt(bytes, ref at, Version);
        WriteInt(bytes, ref at, model.Samples.Count);
        foreach (var sample in model.Samples)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at), sample.Time);
            at += 8;
            WriteInt(bytes, ref at, sample.Layers.Count);
            foreach (var layer in sample.Layers)
            {
                WriteInt(bytes, ref at, layer.Rows);
                WriteInt(bytes, ref at, layer.Cols);
                var values = MemoryMarshal.AsBytes(layer.RowMajorValues);
                CopyLittleEndian(values, bytes.AsSpan(at, values.Length));
                at += values.Length;
            }
        }

        return bytes;
    }

    /// <summary>The model of some bytes.</summary>
    /// <exception cref="FormatException">The bytes are not a model of this version.</exception>
    public static NeuralOdeModel Decode(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        if (ReadInt(bytes, ref at) != Version)
        {
            throw new FormatException("model bytes of an unknown version");
        }

        var samples = new Sample[ReadInt(bytes, ref at)];
        for (var s = 0; s < samples.Length; s++)
        {
            var time = BinaryPrimitives.ReadDoubleLittleEndian(bytes[at..]);
            at += 8;
            var layers = new Matrix[ReadInt(bytes, ref at)];
            for (var j = 0; j < layers.Length; j++)
            {
                var rows = ReadInt(bytes, ref at);
                var cols = ReadInt(bytes, ref at);
                var values = new double[checked(rows * cols)];
                var span = bytes.Slice(at, values.Length * 8);
                CopyLittleEndian(span, MemoryMarshal.AsBytes(values.AsSpan()));
                at += span.Length;
                layers[j] = Matrix.FromRowMajor(rows, cols, values);
            }

            samples[s] = new Sample(time, layers);
        }

        if (at != bytes.Length)
        {
            throw new FormatException("model bytes have trailing data");
        }

        return new NeuralOdeModel(samples);
    }

    private static void CopyLittleEndian(ReadOnlySpan<byte> from, Span<byte> to)
    {
        from.CopyTo(to);
        if (!BitConverter.IsLittleEndian)
        {
            var longs = MemoryMarshal.Cast<byte, long>(to);
            BinaryPrimitives.ReverseEndianness(longs, longs);
        }
    }

    private static void WriteInt(byte[] bytes, ref int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
        at += 4;
    }

    private static int ReadInt(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        at += 4;
        return value;
    }
}
