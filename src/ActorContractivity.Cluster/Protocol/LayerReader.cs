using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Protocol;

/// <summary>
/// Copies the values of some layers out of a model's bytes as the parts they are in arrive, in ascending order of
/// their position (<see cref="ModelLayout"/> tells where each layer's values are): a part may hold pieces of several
/// layers and a layer may span several parts, and parts that hold none of the layers may be left out. A node that
/// holds a few layers of a large model thus never has the whole model in memory, only its layers and the parts on
/// their way.
/// </summary>
public sealed class LayerReader
{
    private readonly ((int Sample, int Layer) Key, LayerSpan Span)[] _wanted;
    private readonly Dictionary<(int Sample, int Layer), Matrix> _layers = [];
    private double[]? _values;
    private int _current;
    private long _at;

    /// <summary>A reader of the layers (sample, index in the sample) whose values are at the given spans.</summary>
    /// <exception cref="ArgumentException">Two of the spans overlap.</exception>
    public LayerReader(IEnumerable<((int Sample, int Layer) Key, LayerSpan Span)> layers)
    {
        _wanted = layers.DistinctBy(l => l.Key).OrderBy(l => l.Span.Offset).ToArray();
        for (var i = 1; i < _wanted.Length; i++)
        {
            if (_wanted[i].Span.Offset < _wanted[i - 1].Span.Offset + _wanted[i - 1].Span.Length)
            {
                throw new ArgumentException("the spans of two layers overlap", nameof(layers));
            }
        }

        Begin();
    }

    /// <summary>The layers read so far, by (sample, index of the layer in the sample).</summary>
    public IReadOnlyDictionary<(int Sample, int Layer), Matrix> Layers => _layers;

    /// <summary>True once every layer is read.</summary>
    public bool Complete => _current == _wanted.Length;

    /// <summary>Reads the bytes at <paramref name="offset"/> in the model.</summary>
    /// <exception cref="ArgumentException">The bytes start past some of a layer's values that did not come.
    /// </exception>
    public void Add(long offset, ReadOnlySpan<byte> bytes)
    {
        var end = offset + bytes.Length;
        while (!Complete && _at < end)
        {
            if (_at < offset)
            {
                throw new ArgumentException($"the bytes from {_at} on did not come before those from {offset}",
                    nameof(offset));
            }

            var (_, span) = _wanted[_current];
            var take = Math.Min(end, span.Offset + span.Length) - _at;
            bytes.Slice((int)(_at - offset), (int)take)
                .CopyTo(MemoryMarshal.AsBytes(_values!.AsSpan())[(int)(_at - span.Offset)..]);
            _at += take;
            if (_at == span.Offset + span.Length)
            {
                Keep();
                Begin();
            }
        }
    }

    /// <summary>Makes ready for the next layer's values (keeping those that have none).</summary>
    private void Begin()
    {
        while (!Complete)
        {
            var (_, span) = _wanted[_current];
            _at = span.Offset;
            _values = new double[checked(span.Rows * span.Cols)];
            if (span.Length > 0)
            {
                return;
            }

            Keep();
        }
    }

    /// <summary>Keeps the layer whose values are all read.</summary>
    private void Keep()
    {
        var ((sample, layer), span) = _wanted[_current];
        var values = _values!;
        if (!BitConverter.IsLittleEndian)
        {
            var longs = MemoryMarshal.Cast<double, long>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(longs, longs);
        }

        _layers[(sample, layer)] = Matrix.FromRowMajor(span.Rows, span.Cols, values);
        _values = null;
        _current++;
    }
}
