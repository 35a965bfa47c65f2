namespace ActorContractivity.Core.Model;

/// <summary>
/// The layers of the model at one time sample. The Jacobian family is J = D_k A_k ⋯ D_1 A_1 with
/// <see cref="Layers"/>[0] = A_1, so A_1 is n₁×n, A_j is n_j×n_{j−1} and A_k is n×n_{k−1}.
/// </summary>
public sealed class Sample
{
    /// <summary>Creates a sample, checking that the layers compose into a square Jacobian.</summary>
    /// <exception cref="ModelShapeException">The shapes do not compose.</exception>
    public Sample(double time, IReadOnlyList<Matrix> layers)
    {
        if (layers.Count == 0)
        {
            throw new ModelShapeException(-1, "a sample needs at least one layer");
        }

        for (var j = 1; j < layers.Count; j++)
        {
            if (layers[j].Cols != layers[j - 1].Rows)
            {
                throw new ModelShapeException(j,
                    $"layer {j + 1} is {layers[j].Rows}×{layers[j].Cols} but layer {j} has {layers[j - 1].Rows} "
                    + $"outputs; its column count must be {layers[j - 1].Rows}");
            }
        }

        if (layers[^1].Rows != layers[0].Cols)
        {
            var message = layers.Count == 1
                ? $"a one-layer model must be square, got {layers[0].Rows}×{layers[0].Cols}"
                : $"the last layer has {layers[^1].Rows} outputs but the first layer takes {layers[0].Cols} inputs; "
                  + "the layers must map the state back to itself";
            throw new ModelShapeException(layers.Count - 1, message);
        }

        Time = time;
        Layers = layers;
        Widths = layers.Select(l => l.Rows).ToArray();
        DiagonalCount = Widths.Sum();
    }

    /// <summary>The time of the sample.</summary>
    public double Time { get; }

    /// <summary>The layers A_1 … A_k, applied in this order.</summary>
    public IReadOnlyList<Matrix> Layers { get; }

    /// <summary>The state dimension n.</summary>
    public int Dimension => Layers[0].Cols;

    /// <summary>n_j, the length of the diagonal D_j of each layer.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>n₁ + … + n_k: the number of slopes one worst case chooses.</summary>
    public int DiagonalCount { get; }
}

/// <summary>Thrown when layer shapes do not compose; <see cref="LayerIndex"/> is zero-based (−1: no layer).</summary>
public sealed class ModelShapeException(int layerIndex, string message) : Exception(message)
{
    /// <summary>Zero-based index of the offending layer, or −1.</summary>
    public int LayerIndex { get; } = layerIndex;
}
