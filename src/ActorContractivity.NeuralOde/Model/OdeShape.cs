namespace ActorContractivity.NeuralOde.Model;

/// <summary>The parameter blocks of an <see cref="OdeClassifier"/>, in their order in the flat vector.</summary>
public enum ParameterGroup
{
    /// <summary>E, the n × inputs embedding of u₀ = E x + e.</summary>
    Embedding,

    /// <summary>e, the embedding's bias.</summary>
    EmbeddingBias,

    /// <summary>A, the n × n weights of u′ = σ(A u + b): the matrix the certificate is about.</summary>
    Weights,

    /// <summary>b.</summary>
    Bias,

    /// <summary>R, the classes × n read-out of the logits R u(T) + r.</summary>
    Readout,

    /// <summary>r.</summary>
    ReadoutBias,
}

/// <summary>
/// The sizes of the classifier x ↦ u₀ = E x + e, u′ = σ(A u + b) on [0, T] by <see cref="Steps"/> explicit Euler
/// steps, logits R u(T) + r; and where each parameter block sits in the flat parameter vector.
/// </summary>
/// <param name="Inputs">Input size (784 for MNIST).</param>
/// <param name="Dimension">n, the state dimension.</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Time">T, the end of the integration interval.</param>
/// <param name="Steps">N, the number of Euler steps; the step is h = T / N.</param>
public sealed record OdeShape(int Inputs, int Dimension, int Classes, double Time, int Steps)
{
    /// <summary>h = T / N.</summary>
    public double StepSize => Time / Steps;

    /// <summary>The number of values in a block.</summary>
    public int Size(ParameterGroup group) => group switch
    {
        ParameterGroup.Embedding => Dimension * Inputs,
        ParameterGroup.EmbeddingBias => Dimension,
        ParameterGroup.Weights => Dimension * Dimension,
        ParameterGroup.Bias => Dimension,
        ParameterGroup.Readout => Classes * Dimension,
        _ => Classes,
    };

    /// <summary>(rows, columns) of a block; biases are columns.</summary>
    public (int Rows, int Cols) BlockShape(ParameterGroup group) => group switch
    {
        ParameterGroup.Embedding => (Dimension, Inputs),
        ParameterGroup.Weights => (Dimension, Dimension),
        ParameterGroup.Readout => (Classes, Dimension),
        _ => (Size(group), 1),
    };

    /// <summary>Where a block starts in the flat parameter vector.</summary>
    public int Offset(ParameterGroup group)
    {
        var offset = 0;
        for (var g = ParameterGroup.Embedding; g < group; g++)
        {
            offset += Size(g);
        }

        return offset;
    }

    /// <summary>The length of the flat parameter vector.</summary>
    public int ParameterCount => Offset(ParameterGroup.ReadoutBias) + Size(ParameterGroup.ReadoutBias);

    /// <summary>Says what is wrong with the sizes, or returns null.</summary>
    public string? Problem()
    {
        if (Inputs < 1 || Dimension < 1 || Classes < 2)
        {
            return $"inputs, dimension and classes must be positive (and classes ≥ 2), got {Inputs}, {Dimension}, "
                + $"{Classes}";
        }

        if (!(Time > 0 && double.IsFinite(Time)))
        {
            return $"the time T must be a finite number > 0, got {Time}";
        }

        return Steps < 1 ? $"the number of Euler steps must be at least 1, got {Steps}" : null;
    }
}
