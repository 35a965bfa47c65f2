namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>
/// A data set that cannot be read: missing, corrupt, or not MNIST-shaped. The message is one line naming the file,
/// the field and what is wrong, so a command line can print it as it is.
/// </summary>
public sealed class DatasetException(string message) : Exception(message)
{
    /// <summary>
    /// Refuses a <paramref name="path"/> that is a directory or absent; <paramref name="expected"/> says what the file
    /// should be.
    /// </summary>
    internal static void RequireFile(string path, string expected)
    {
        if (Directory.Exists(path))
        {
            throw new DatasetException($"{path}: is a directory; expected {expected}");
        }

        if (!File.Exists(path))
        {
            throw new DatasetException($"{path}: file not found");
        }
    }
}
