using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Loading;

/// <summary>A loaded model together with names for its layers, so reports can say where a weight came from.</summary>
/// <param name="Model">The model.</param>
/// <param name="LayerNames">
/// <c>LayerNames[s][j]</c> names layer j of sample s: the file as written in the manifest (the file name for a
/// single-matrix model), or <see cref="InlineLayerName"/> for a layer given inline.
/// </param>
public sealed record LoadedModel(NeuralOdeModel Model, IReadOnlyList<IReadOnlyList<string>> LayerNames)
{
    /// <summary>The name of a layer written inline in a manifest.</summary>
    public const string InlineLayerName = "inline";

    /// <summary>Every file the model was read from (the manifest and its layer files), as full paths.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}
