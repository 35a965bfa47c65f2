using System.CommandLine;
using System.CommandLine.Parsing;
using ActorContractivity.Cli.Certify;
using ActorContractivity.Cli.Cluster;
using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli;

/// <summary>
/// The <c>actorcontractivity</c> command line. Exit codes: 0 an interval was found, 1 no interval exists,
/// 2 bad input or usage (one line on stderr), 3 an internal error (one line on stderr; a bug to report).
/// </summary>
public static class CliApplication
{
    /// <summary>Exit code: an interval was found.</summary>
    public const int Found = 0;

    /// <summary>Exit code: no interval exists.</summary>
    public const int NoInterval = 1;

    /// <summary>Exit code: bad input or usage.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code: an internal error.</summary>
    public const int InternalError = 3;

    /// <summary>Exit code: interrupted by SIGINT or SIGTERM (128 + SIGINT, the shell's convention).</summary>
    public const int Interrupted = 130;

    /// <summary>Parses and runs a command line, writing to the given streams.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Certifies the contractivity of neural ODEs: the largest interval of activation slopes on which the "
            + "flow provably contracts.");
        root.Subcommands.Add(CertifyCommand.Create(output, error));
        root.Subcommands.Add(NodeCommand.Create(output, error));
        root.Subcommands.Add(StatusCommand.Create(output, error));
        root.Subcommands.Add(CancelCommand.Create(output, error));
        root.Subcommands.Add(ProbeCommand.Create(output, error));
        root.Subcommands.Add(Mnist.MnistCommand.Create(output, error));
        root.Subcommands.Add(Generate.GenerateCommand.Create(output));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word explains the other errors it causes ("required command was not provided").
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                ?? parse.Errors[0];
            var message = string.Join(' ', first.Message.Split((char[])[' ', '\t', '\r', '\n'],
                StringSplitOptions.RemoveEmptyEntries))
                .Replace("'System.Nullable`1[System.Double]'", "number", StringComparison.Ordinal)
                .Replace("'System.Double'", "number", StringComparison.Ordinal)
                .Replace("'System.Int32'", "whole number", StringComparison.Ordinal);
            var named = first.SymbolResult is OptionResult result
                && !message.StartsWith(result.Option.Name, StringComparison.Ordinal);
            var option = named ? $"{((OptionResult)first.SymbolResult!).Option.Name}: " : "";
            error.WriteLine($"usage: {option}{message} (see 'actorcontractivity --help')");
            return BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output, Error = error, EnableDefaultExceptionHandler = false,
            });
        }
        catch (InputException e)
        {
            error.WriteLine(e.Message);
            return BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"internal error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return InternalError;
        }
    }
}
