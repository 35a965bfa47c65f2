namespace ActorContractivity.Core.Outer;

/// <summary>The worst slope pattern over all samples for one box.</summary>
/// <param name="Value">φ: the worst log-norm found (the maximum over samples).</param>
/// <param name="SampleIndex">The sample where it occurs.</param>
/// <param name="Slopes">Flat slopes D_1 … D_k of that sample.</param>
/// <param name="Offsets">Start of each layer's diagonal in <paramref name="Slopes"/> (last entry: total).</param>
/// <param name="Gradient">∂φ/∂d at the witness.</param>
/// <param name="Residual">Eigen-solver residual at the witness (0 for closed forms).</param>
/// <param name="Exact">True when every sample's maximum was computed exactly (enumeration or closed form).</param>
public sealed record WorstCase(
    double Value, int SampleIndex, double[] Slopes, int[] Offsets, double[] Gradient, double Residual, bool Exact)
{
    /// <summary>The slopes split per layer: D_1, …, D_k.</summary>
    public double[][] Diagonals =>
        Enumerable.Range(0, Offsets.Length - 1).Select(j => Slopes[Offsets[j]..Offsets[j + 1]]).ToArray();

    /// <summary>
    /// dφ/dθ when the tuned end moves: the sum of the gradient over the slopes sitting at that end (DESIGN §1.3).
    /// </summary>
    public double DerivativeAt(double theta)
    {
        var sum = 0.0;
        for (var i = 0; i < Slopes.Length; i++)
        {
            if (Slopes[i] == theta)
            {
                sum += Gradient[i];
            }
        }

        return sum;
    }
}

/// <summary>Counts of the work spent on a question.</summary>
public sealed record WorkCounts(int InnerSolves, long Evaluations, long Products, long Vertices, int GradientSteps);
