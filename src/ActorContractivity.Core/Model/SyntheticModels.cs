using MathNet.Numerics.LinearAlgebra;

namespace ActorContractivity.Core.Model;

/// <summary>
/// Seeded deep models shaped like trained residual networks, for trying the tool at scale without a trained model.
/// Every layer of width W is near-orthogonal, as the weights of well-trained ResNets are (orthogonal initialisation,
/// norm-preserving blocks); what makes the flow contract is that the last layer of a sample undoes the rotation of
/// the ones before it and damps it: A_k A_{k−1} ⋯ A_1 = −γ I + ε E Q with E Gaussian of variance 1/W, so at
/// D = I the log-norm is about −γ + ε√2 &lt; 0 (the edge of the semicircle of Sym(E Q)). Slopes far below 1 break
/// that balance: D = ℓ·(a pattern) makes Sym(D_k A_k ⋯) indefinite, so the largest contractive interval [ℓ*, 1]
/// has an interior ℓ* and the certify question is not trivial.
/// </summary>
public static class SyntheticModels
{
    /// <summary>γ: how strongly the last layer of a sample damps.</summary>
    public const double Damping = 1.0;

    /// <summary>ε: the weight of the non-normal Gaussian part of the last layer.</summary>
    public const double Noise = 0.5;

    /// <summary>
    /// A ResNet of <paramref name="blocks"/> residual blocks seen as a time-dependent neural ODE: block k is the
    /// sample at t = k / blocks, with two W×W layers, an encoder Q_k (orthogonal) and a decoder
    /// −γ Q_kᵀ + ε E_k/√W. Neighbouring blocks are alike, as in a trained network: Q_k and E_k turn smoothly
    /// from one Gaussian matrix to another across the depth, plus a smaller part of their own. Samples are generated
    /// one at a time.
    /// </summary>
    public static IEnumerable<Sample> ResNet(int blocks, int width, int seed)
    {
        Check(blocks, width, "blocks");
        var random = new Random(seed);
        var (encoderFrom, encoderTo) = (Gaussian(random, width), Gaussian(random, width));
        var (noiseFrom, noiseTo) = (Gaussian(random, width), Gaussian(random, width));
        for (var k = 0; k < blocks; k++)
        {
            var angle = 0.5 * Math.PI * k / Math.Max(blocks - 1, 1);
            var encoder = Orthogonal(Drift(encoderFrom, encoderTo, angle, Gaussian(random, width)));
            var noise = Drift(noiseFrom, noiseTo, angle, Gaussian(random, width));
            var decoder = -Damping * encoder.Transpose() + (Noise / Math.Sqrt(width)) * noise;
            yield return new Sample((double)k / blocks, [ToMatrix(encoder), ToMatrix(decoder)]);
        }
    }

    /// <summary>
    /// One sample of <paramref name="layers"/> W×W layers: A_1 … A_{k−1} are rotations near the identity (the
    /// orthogonal factor of I + G/√W), A_k = −γ (A_{k−1} ⋯ A_1)ᵀ + ε E/√W. Layers are generated one at a
    /// time.
    /// </summary>
    public static IEnumerable<Matrix> Deep(int layers, int width, int seed)
    {
        Check(layers, width, "layers");
        if (layers < 2)
        {
            throw new ArgumentException($"a deep model needs at least 2 layers, got {layers}");
        }

        var random = new Random(seed);
        var rotation = Matrix<double>.Build.DenseIdentity(width);
        for (var j = 0; j < layers - 1; j++)
        {
            var near = Matrix<double>.Build.DenseIdentity(width) + Gaussian(random, width) / Math.Sqrt(width);
            var layer = Orthogonal(near);
            rotation = layer * rotation;
            yield return ToMatrix(layer);
        }

        var last = -Damping * rotation.Transpose() + (Noise / Math.Sqrt(width)) * Gaussian(random, width);
        yield return ToMatrix(last);
    }

    private static void Check(int count, int width, string what)
    {
        if (count < 1 || width < 1)
        {
            throw new ArgumentException($"a model needs at least one of {what} and width 1, got {count} and {width}");
        }
    }

    /// <summary>cos(θ) A + sin(θ) B plus a third of C, scaled back to entries of unit variance.</summary>
    private static Matrix<double> Drift(Matrix<double> a, Matrix<double> b, double angle, Matrix<double> own) =>
        (Math.Cos(angle) * a + Math.Sin(angle) * b + own / 3.0) / Math.Sqrt(1.0 + 1.0 / 9.0);

    /// <summary>The orthogonal factor Q of M = QR with R's diagonal made positive (a smooth function of M).</summary>
    private static Matrix<double> Orthogonal(Matrix<double> m)
    {
        var qr = m.QR();
        var q = qr.Q.Clone();
        for (var c = 0; c < q.ColumnCount; c++)
        {
            if (qr.R[c, c] < 0)
            {
                q.SetColumn(c, -q.Column(c));
            }
        }

        return q;
    }

    private static Matrix<double> Gaussian(Random random, int width) =>
        Matrix<double>.Build.Dense(width, width, (_, _) =>
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        });

    private static Matrix ToMatrix(Matrix<double> m)
    {
        var values = new double[m.RowCount * m.ColumnCount];
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < m.ColumnCount; j++)
            {
                values[i * m.ColumnCount + j] = m[i, j];
            }
        }

        return Matrix.FromRowMajor(m.RowCount, m.ColumnCount, values);
    }
}
