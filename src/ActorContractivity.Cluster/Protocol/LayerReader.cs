using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Cluster.Protocol;

/// <summary>
/// Reads some layers out of a model's bytes (<see cref="ModelCodec"/>'s layout) as the bytes arrive, chunk by chunk,
/// and skips the others: a node that holds a few layers of a large model never has the whole model in memory, only
/// its layers and one chunk. It hashes every byte on the way, so the result can be checked against the content hash.
/// </summary>
public sealed class LayerReader
{
    private readonly Func<int, int, bool> _wanted;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _header = new byte[12];
    private readonly List<int> _layerCounts = [];
    private readonly List<double> _times = [];
    private Stage _stage = Stage.ModelHeader;
    private int _headerFilled;
    private int _samples;
    private int _sample;
    private int _layer;
    private int _rows;
    private int _cols;
    private double[]? _values;
    private long _valueBytes;
    private long _valuesRead;

    /// <summary>A reader that keeps the layers (sample, index) for which <paramref name="wanted"/> is true.</summary>
    public LayerReader(Func<int, int, bool> wanted) => _wanted = wanted;

    private enum Stage
    {
        ModelHeader,
        SampleHeader,
        LayerHeader,
        Values,
        Done,
    }

    /// <summary>The layers kept, by (sample, index of the layer in the sample).</summary>
    public Dictionary<(int Sample, int Layer), Matrix> Layers { get; } = [];

    /// <summary>Each sample's number of layers (of the samples read so far).</summary>
    public IReadOnlyList<int> LayerCounts => _layerCounts;

    /// <summary>Each sample's time (of the samples read so far).</summary>
    public IReadOnlyList<double> Times => _times;

    /// <summary>True once the last layer of the last sample is read.</summary>
    public bool Complete => _stage == Stage.Done;

    /// <summary>Reads the next bytes of the model.</summary>
    /// <exception cref="FormatException">The bytes are not a model of the codec's version, or run past its end.
    /// </exception>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        while (!bytes.IsEmpty)
        {
            if (_stage == Stage.Done)
            {
                throw new FormatException("model bytes have trailing data");
            }

            if (_stage == Stage.Values)
            {
                var take = (int)Math.Min(bytes.Length, _valueBytes - _valuesRead);
                if (_values is { } values)
                {
                    bytes[..take].CopyTo(MemoryMarshal.AsBytes(values.AsSpan())[(int)_valuesRead..]);
                }

                _valuesRead += take;
                bytes = bytes[take..];
                if (_valuesRead == _valueBytes)
                {
                    EndLayer();
                }

                continue;
            }

            var need = _stage == Stage.SampleHeader ? 12 : 8;
            var fill = Math.Min(bytes.Length, need - _headerFilled);
            bytes[..fill].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += fill;
            bytes = bytes[fill..];
            if (_headerFilled == need)
            {
                _headerFilled = 0;
                Header();
            }
        }
    }

    /// <summary>The SHA-256 of the bytes read, as the job data names it (call once, when complete).</summary>
    public string Hash() => Convert.ToHexString(_hash.GetHashAndReset());

    private void Header()
    {
        var header = _header.AsSpan();
        switch (_stage)
        {
            case Stage.ModelHeader:
                if (BinaryPrimitives.ReadInt32LittleEndian(header) != ModelCodec.Version)
                {
                    throw new FormatException("model bytes of an unknown version");
                }

                _samples = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                _sample = -1;
                NextSample();
                break;
            case Stage.SampleHeader:
                _times.Add(BinaryPrimitives.ReadDoubleLittleEndian(header));
                _layerCounts.Add(BinaryPrimitives.ReadInt32LittleEndian(header[8..]));
                _layer = -1;
                NextLayer();
                break;
            default:
                _rows = BinaryPrimitives.ReadInt32LittleEndian(header);
                _cols = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                _valueBytes = 8L * _rows * _cols;
                _valuesRead = 0;
                _values = _wanted(_sample, _layer) ? new double[checked(_rows * _cols)] : null;
                _stage = Stage.Values;
                if (_valueBytes == 0)
                {
                    EndLayer();
                }

                break;
        }
    }

    private void EndLayer()
    {
        if (_values is { } values)
        {
            if (!BitConverter.IsLittleEndian)
            {
                var longs = MemoryMarshal.Cast<double, long>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(longs, longs);
            }

            Layers[(_sample, _layer)] = Matrix.FromRowMajor(_rows, _cols, values);
            _values = null;
        }

        NextLayer();
    }

    private void NextLayer()
    {
        _layer++;
        if (_layer < _layerCounts[_sample])
        {
            _stage = Stage.LayerHeader;
            return;
        }

        NextSample();
    }

    private void NextSample()
    {
        _sample++;
        _stage = _sample < _samples ? Stage.SampleHeader : Stage.Done;
    }
}
