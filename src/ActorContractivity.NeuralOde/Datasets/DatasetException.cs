namespace ActorContractivity.NeuralOde.Datasets;

/// <summary>
/// A data set that cannot be read: missing, corrupt, or not MNIST-shaped. The message is one line naming the file,
/// the field and what is wrong, so a command line can print it as it is.
/// </summary>
public sealed class DatasetException(string message) : Exception(message);
