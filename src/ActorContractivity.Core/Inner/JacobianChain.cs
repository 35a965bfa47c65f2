using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Inner;

/// <summary>
/// Products with J = D_k A_k ⋯ D_1 A_1 and Jᵀ for the slopes <c>d</c> of a run of consecutive layers (a whole
/// sample, or one block of it), where d is the flat concatenation of the diagonals D_1 … D_k (layer j occupies
/// <see cref="Offsets"/>[j] onwards). The forward pass keeps the pre-activations z_j = A_j D_{j−1} ⋯ D_1 A_1 x and
/// the backward pass the co-states y_j = A_{j+1}ᵀ D_{j+1} ⋯ A_kᵀ D_k y, so that after both
/// ∂(yᵀ J x)/∂(D_j)_ii = (y_j)_i (z_j)_i. Not thread-safe: it owns its work buffers.
/// </summary>
public sealed class JacobianChain : IJacobianProducts
{
    private readonly Matrix[] _layers;
    private readonly double[][] _forward;
    private readonly double[][] _backward;
    private readonly double[] _scratch;

    /// <summary>Creates the chain of a sample; the slopes start at zero.</summary>
    public JacobianChain(Sample sample)
        : this(sample.Layers)
    {
    }

    /// <summary>
    /// Creates the chain of consecutive layers (each layer's columns match the previous layer's rows; J need not
    /// be square); the slopes start at zero. The matrices are shared, not copied.
    /// </summary>
    public JacobianChain(IReadOnlyList<Matrix> layers)
    {
        _layers = layers.ToArray();
        Offsets = new int[_layers.Length + 1];
        for (var j = 0; j < _layers.Length; j++)
        {
            Offsets[j + 1] = Offsets[j] + _layers[j].Rows;
        }

        _forward = _layers.Select(l => new double[l.Rows]).ToArray();
        _backward = _layers.Select(l => new double[l.Rows]).ToArray();
        _scratch = new double[Math.Max(_layers.Max(l => l.Rows), _layers[0].Cols)];
        Slopes = new double[Offsets[^1]];
    }

    /// <summary>Start of each layer's diagonal in the flat slope vector; the last entry is the total.</summary>
    public int[] Offsets { get; }

    /// <summary>The current slopes (flat D_1 … D_k); callers write into it.</summary>
    public double[] Slopes { get; }

    /// <summary>The input width (the state dimension n for a whole sample).</summary>
    public int Dimension => _layers[0].Cols;

    /// <summary>Doubles held by the buffers and slopes (the weights are shared and not counted).</summary>
    public long StateDoubles => 3L * Offsets[^1] + _scratch.Length;

    /// <summary>result = J x; keeps z_j.</summary>
    public void Forward(ReadOnlySpan<double> x, Span<double> result)
    {
        ReadOnlySpan<double> input = x;
        for (var j = 0; j < _layers.Length; j++)
        {
            var z = _forward[j];
            _layers[j].Multiply(input, z);
            var dj = Slopes.AsSpan(Offsets[j], z.Length);
            var output = j == _layers.Length - 1 ? result : _scratch.AsSpan(0, z.Length);
            for (var i = 0; i < z.Length; i++)
            {
                output[i] = dj[i] * z[i];
            }

            input = output;
        }
    }

    /// <summary>result = Jᵀ y; keeps y_j.</summary>
    public void Backward(ReadOnlySpan<double> y, Span<double> result)
    {
        y.CopyTo(_backward[^1]);
        for (var j = _layers.Length - 1; j >= 0; j--)
        {
            var yj = _backward[j];
            var dj = Slopes.AsSpan(Offsets[j], yj.Length);
            var scaled = _scratch.AsSpan(0, yj.Length);
            for (var i = 0; i < yj.Length; i++)
            {
                scaled[i] = dj[i] * yj[i];
            }

            _layers[j].MultiplyTransposed(scaled, j == 0 ? result : _backward[j - 1]);
        }
    }

    /// <summary>Adds scale · (y_j)_i (z_j)_i to the gradient, after a Forward and a Backward pass.</summary>
    public void AccumulateGradient(Span<double> gradient, double scale)
    {
        for (var j = 0; j < _layers.Length; j++)
        {
            var z = _forward[j];
            var y = _backward[j];
            var g = gradient.Slice(Offsets[j], z.Length);
            for (var i = 0; i < z.Length; i++)
            {
                g[i] += scale * y[i] * z[i];
            }
        }
    }
}
