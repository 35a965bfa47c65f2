using ActorContractivity.Core.Model;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Loads the MODEL argument of the command line: a single <c>.npy</c> or <c>.csv</c> matrix (a one-layer model
/// with one sample) or a <c>.json</c> manifest (see <see cref="ManifestReader"/>).
/// </summary>
public static class ModelLoader
{
    /// <summary>Loads the model in <paramref name="path"/>, choosing the reader by the file extension.</summary>
    /// <exception cref="InputException">The file is missing or unreadable, or the model is invalid.</exception>
    public static LoadedModel Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException(
                $"{path}: is a directory; expected a model file (.npy, .csv or a .json manifest)");
        }

        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".json":
                return ManifestReader.Read(path);
            case ".npy":
                return OneLayer(path, NpyReader.Read(path));
            case ".csv":
                return OneLayer(path, CsvMatrixReader.Read(path));
            default:
                InputFile.RequireFile(path, path);
                throw new InputException($"{path}: unknown model format; expected .npy, .csv or a .json manifest");
        }
    }

    private static LoadedModel OneLayer(string path, Matrix matrix)
    {
        if (!matrix.IsSquare)
        {
            throw new InputException($"{path}: the matrix is {Describe.Shape(matrix.Rows, matrix.Cols)}; "
                + "a model given as a single matrix must be square (use a .json manifest for several layers)");
        }

        return new LoadedModel(NeuralOdeModel.OneLayer(matrix), [[Path.GetFileName(path)]])
        {
            Files = [Path.GetFullPath(path)],
        };
    }
}
