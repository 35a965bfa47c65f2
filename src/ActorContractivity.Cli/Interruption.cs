using System.Runtime.InteropServices;

namespace ActorContractivity.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM for the commands that run to an end (everything but <c>node</c>, whose host turns
/// SIGTERM into a graceful leave): the process says in one line on standard error what the interruption left
/// behind and exits at once with <see cref="CliApplication.Interrupted"/>. It does not wait for the work in
/// progress: a worker thread may be inside a long Core call that nothing can cancel, and every command writes its
/// outputs whole at its end (a report by one rename, a model or results directory by one swap), so stopping
/// anywhere leaves the earlier outputs as they were.
/// </summary>
public static class Interruption
{
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _happened;

    /// <summary>
    /// Whether a signal arrived: the process is exiting, and what stops because of that (the in-process node) is
    /// not to be reported as a failure of its own.
    /// </summary>
    public static bool Happened => Volatile.Read(ref _happened) != 0;

    /// <summary>
    /// Whether a signal arrived or arrives within <paramref name="grace"/>: something that a signal stops may notice
    /// it before this class's handler has run (the handlers of one signal run one after the other).
    /// </summary>
    public static bool HappensWithin(TimeSpan grace)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Happened && clock.Elapsed < grace)
        {
            Thread.Sleep(20);
        }

        return Happened;
    }

    /// <summary>Handles the two signals from now on for the command named by <paramref name="args"/>.</summary>
    public static void Listen(string[] args, TextWriter error)
    {
        if (args.Length == 0 || args[0] == "node")
        {
            return;
        }

        var message = Message(args);
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Exchange(ref _happened, 1) != 0)
            {
                return;
            }

            error.WriteLine(message);
            error.Flush();
            Environment.Exit(CliApplication.Interrupted);
        }

        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt));
    }

    /// <summary>The line an interrupted command writes: what it is and what it did not change.</summary>
    public static string Message(string[] args) => args[0] switch
    {
        "certify" => "certify: interrupted; no report was written",
        "generate" => "generate: interrupted; the output directory was not written",
        "mnist" when args.Length > 1 && !args[1].StartsWith('-') =>
            $"mnist {args[1]}: interrupted; earlier models and results are as they were",
        var command => $"{command}: interrupted",
    };
}
