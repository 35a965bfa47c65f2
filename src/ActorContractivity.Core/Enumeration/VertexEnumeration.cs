using ActorContractivity.Core.Eigen;
using ActorContractivity.Core.Inner;
using ActorContractivity.Core.Model;

namespace ActorContractivity.Core.Enumeration;

/// <summary>The exact maximum of F over the vertices of a box, and the vertex reaching it.</summary>
/// <param name="Value">max F over all vertices.</param>
/// <param name="Vertex">The flat slopes of a maximising vertex (each entry the lower or the upper bound).</param>
/// <param name="VerticesVisited">2^(n₁+…+n_k).</param>
public sealed record VertexMaximum(double Value, double[] Vertex, long VerticesVisited);

/// <summary>
/// Exhaustive search over the 2^(n₁+…+n_k) vertices of the slope box. F is convex in each D_j separately, so
/// its maximum over the box is attained at a vertex and this search is exact; it is the ground truth for
/// small models and the oracle of the tests. Vertices are visited in Gray-code order (one slope changes
/// between neighbours), split into independent chunks that run in parallel.
/// </summary>
public static class VertexEnumeration
{
    /// <summary>The largest number of slopes enumerated (2^30 vertices).</summary>
    public const int MaxSlopes = 30;

    /// <summary>Finds max F over the vertices of [lower, upper]^(n₁+…+n_k).</summary>
    /// <param name="sample">The layers.</param>
    /// <param name="lower">Lower slope bound ℓ.</param>
    /// <param name="upper">Upper slope bound u.</param>
    /// <param name="discreteStep">The explicit Euler step h, or null for the flow.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; −1 for all cores.</param>
    public static VertexMaximum Maximum(
        Sample sample, double lower, double upper, double? discreteStep, int maxDegreeOfParallelism = -1)
    {
        var count = sample.DiagonalCount;
        if (count > MaxSlopes)
        {
            throw new ArgumentException($"enumeration is limited to {MaxSlopes} slopes, the sample has {count}");
        }

        var chunkBits = Math.Min(count, 6);
        var lowBits = count - chunkBits;
        var chunks = 1 << chunkBits;
        var best = new (double Value, double[] Vertex)[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, chunk =>
        {
            var evaluator = new VertexEvaluator(sample, discreteStep);
            var vertex = new double[count];
            for (var b = 0; b < count; b++)
            {
                var bit = b < lowBits ? 0 : (chunk >> (b - lowBits)) & 1;
                vertex[b] = bit == 1 ? upper : lower;
            }

            evaluator.Reset(vertex);
            var bestValue = evaluator.Value(double.NegativeInfinity);
            var bestVertex = (double[])vertex.Clone();
            var steps = 1L << lowBits;
            for (var g = 1L; g < steps; g++)
            {
                // Gray code: between g−1 and g exactly the lowest set bit of g flips.
                var flip = System.Numerics.BitOperations.TrailingZeroCount(g);
                vertex[flip] = vertex[flip] == upper ? lower : upper;
                evaluator.Set(flip, vertex[flip]);
                var value = evaluator.Value(bestValue);
                if (value > bestValue)
                {
                    bestValue = value;
                    vertex.CopyTo(bestVertex, 0);
                }
            }

            best[chunk] = (bestValue, bestVertex);
        });

        var winner = 0;
        for (var c = 1; c < chunks; c++)
        {
            if (best[c].Value > best[winner].Value)
            {
                winner = c;
            }
        }

        return new VertexMaximum(best[winner].Value, best[winner].Vertex, 1L << count);
    }

    /// <summary>F at one vertex by a dense eigenvalue computation; one-layer flows update Sym(DA) in O(n).</summary>
    private sealed class VertexEvaluator
    {
        private readonly Sample _sample;
        private readonly double? _step;
        private readonly JacobianChain _chain;
        private readonly int _n;
        private readonly double[] _symmetric;
        private readonly double[] _scratch;
        private readonly double[] _work;
        private readonly double[] _jacobian;
        private readonly double[] _unit;
        private readonly double[] _column;
        private readonly bool _oneLayerFlow;

        public VertexEvaluator(Sample sample, double? step)
        {
            _sample = sample;
            _step = step;
            _chain = new JacobianChain(sample);
            _n = sample.Dimension;
            _symmetric = new double[_n * _n];
            _scratch = new double[_n * _n];
            _work = new double[2 * _n];
            _jacobian = new double[_n * _n];
            _unit = new double[_n];
            _column = new double[_n];
            _oneLayerFlow = step is null && sample.Layers.Count == 1;
        }

        public void Reset(double[] vertex)
        {
            vertex.CopyTo(_chain.Slopes, 0);
            if (_oneLayerFlow)
            {
                var a = _sample.Layers[0];
                for (var i = 0; i < _n; i++)
                {
                    for (var j = 0; j < _n; j++)
                    {
                        _symmetric[i * _n + j] = 0.5 * (vertex[i] * a[i, j] + vertex[j] * a[j, i]);
                    }
                }
            }
        }

        public void Set(int index, double slope)
        {
            _chain.Slopes[index] = slope;
            if (_oneLayerFlow)
            {
                // Sym(DA)_ij = (d_i a_ij + d_j a_ji) / 2: changing d_i touches row i and column i only.
                var a = _sample.Layers[0];
                var d = _chain.Slopes;
                for (var j = 0; j < _n; j++)
                {
                    var v = 0.5 * (d[index] * a[index, j] + d[j] * a[j, index]);
                    _symmetric[index * _n + j] = v;
                    _symmetric[j * _n + index] = v;
                }
            }
        }

        /// <summary>F at the vertex, or −∞ when it is certainly not above <paramref name="incumbent"/>.</summary>
        public double Value(double incumbent)
        {
            if (!_oneLayerFlow)
            {
                BuildDense();
            }

            var threshold = _step is { } step ? StableMath.ExpM1(2 * step * incumbent) : incumbent;
            if (double.IsFinite(threshold) && DenseSymmetric.AllEigenvaluesAtMost(_symmetric, _n, threshold, _scratch))
            {
                return double.NegativeInfinity;
            }

            _symmetric.CopyTo(_scratch, 0);
            var top = DenseSymmetric.LargestEigenvalue(_scratch, _n, _work);
            if (_step is not { } h)
            {
                return top;
            }

            return top <= -1.0 ? double.NegativeInfinity : StableMath.Log1P(top) / (2 * h);
        }

        /// <summary>Forms J column by column, then Sym(J) or (I + hJ)ᵀ(I + hJ) into the symmetric buffer.</summary>
        private void BuildDense()
        {
            for (var j = 0; j < _n; j++)
            {
                _unit[j] = 1.0;
                _chain.Forward(_unit, _column);
                _unit[j] = 0.0;
                for (var i = 0; i < _n; i++)
                {
                    _jacobian[i * _n + j] = _column[i];
                }
            }

            if (_step is not { } h)
            {
                for (var i = 0; i < _n; i++)
                {
                    for (var j = 0; j < _n; j++)
                    {
                        _symmetric[i * _n + j] = 0.5 * (_jacobian[i * _n + j] + _jacobian[j * _n + i]);
                    }
                }

                return;
            }

            // (I + hJ)ᵀ(I + hJ) − I = h(J + Jᵀ) + h²JᵀJ, formed without adding the identity
            // (see SlopeObjective).
            for (var i = 0; i < _n; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var s = 0.0;
                    for (var r = 0; r < _n; r++)
                    {
                        s += _jacobian[r * _n + i] * _jacobian[r * _n + j];
                    }

                    var v = h * (_jacobian[i * _n + j] + _jacobian[j * _n + i]) + h * h * s;
                    _symmetric[i * _n + j] = v;
                    _symmetric[j * _n + i] = v;
                }
            }
        }
    }
}
