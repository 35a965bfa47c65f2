namespace ActorContractivity.Core.Model;

/// <summary>
/// A neural ODE u' = σ(A_k(t) σ(… σ(A_1(t) u + b_1) …) + b_k) given at one or more time samples.
/// Biases do not enter the contraction question, so only the weights are kept.
/// </summary>
public sealed class NeuralOdeModel
{
    /// <summary>Creates a model; every sample must act on the same state dimension.</summary>
    /// <exception cref="ModelShapeException">Samples disagree on the state dimension.</exception>
    public NeuralOdeModel(IReadOnlyList<Sample> samples)
    {
        if (samples.Count == 0)
        {
            throw new ModelShapeException(-1, "a model needs at least one sample");
        }

        var n = samples[0].Dimension;
        for (var s = 1; s < samples.Count; s++)
        {
            if (samples[s].Dimension != n)
            {
                throw new SampleDimensionException(s,
                    $"sample {s} acts on dimension {samples[s].Dimension} but sample 0 on {n}");
            }
        }

        Samples = samples;
    }

    /// <summary>The time samples; (★) must hold at each.</summary>
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>The state dimension n.</summary>
    public int Dimension => Samples[0].Dimension;

    /// <summary>A one-sample, one-layer model u' = σ(A u + b).</summary>
    public static NeuralOdeModel OneLayer(Matrix a) => new([new Sample(0.0, [a])]);
}

/// <summary>Thrown when samples act on different state dimensions.</summary>
public sealed class SampleDimensionException(int sampleIndex, string message) : Exception(message)
{
    /// <summary>Zero-based index of the offending sample.</summary>
    public int SampleIndex { get; } = sampleIndex;
}
