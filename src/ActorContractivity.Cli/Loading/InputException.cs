namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Bad input from the user: a model file or manifest that cannot be loaded. The message is a single line that
/// names the file, the field or row/column, and the problem, so the command line can print it as is (exit code 2)
/// instead of a stack trace.
/// </summary>
public sealed class InputException(string message) : Exception(message);
