namespace ActorContractivity.NeuralOde.Model;

/// <summary>
/// A one-layer, weight-tied neural ODE classifier: its <see cref="OdeShape"/>, its activation σ_ℓ and its
/// parameters as one flat vector (blocks in <see cref="ParameterGroup"/> order, matrices row-major), the layout the
/// optimiser updates in place.
/// </summary>
public sealed class OdeClassifier
{
    /// <summary>Wraps a parameter vector, which is kept, not copied.</summary>
    public OdeClassifier(OdeShape shape, Activation activation, double[] parameters)
    {
        if (shape.Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"the shape needs {shape.ParameterCount} parameters, got {parameters.Length}");
        }

        Shape = shape;
        Activation = activation;
        Parameters = parameters;
    }

    /// <summary>The sizes.</summary>
    public OdeShape Shape { get; }

    /// <summary>σ_ℓ.</summary>
    public Activation Activation { get; }

    /// <summary>All parameters, flat.</summary>
    public double[] Parameters { get; }

    /// <summary>One block of the parameters, writable.</summary>
    public Span<double> Block(ParameterGroup group) =>
        Parameters.AsSpan(Shape.Offset(group), Shape.Size(group));

    /// <summary>
    /// A freshly initialised model: E with N(0, 1/inputs) entries, A and R with N(0, 1/n) entries, biases zero.
    /// </summary>
    public static OdeClassifier Initialise(OdeShape shape, Activation activation, int seed)
    {
        var model = new OdeClassifier(shape, activation, new double[shape.ParameterCount]);
        var random = new Random(seed);
        Fill(model.Block(ParameterGroup.Embedding), 1 / Math.Sqrt(shape.Inputs), random);
        Fill(model.Block(ParameterGroup.Weights), 1 / Math.Sqrt(shape.Dimension), random);
        Fill(model.Block(ParameterGroup.Readout), 1 / Math.Sqrt(shape.Dimension), random);
        return model;
    }

    /// <summary>A copy with its own parameters and the given activation.</summary>
    public OdeClassifier With(Activation activation) => new(Shape, activation, (double[])Parameters.Clone());

    private static void Fill(Span<double> block, double scale, Random random)
    {
        for (var k = 0; k < block.Length; k++)
        {
            block[k] = scale * Gaussian.Sample(random);
        }
    }
}
