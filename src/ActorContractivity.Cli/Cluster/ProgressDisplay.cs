using System.Globalization;
using ActorContractivity.Cluster.Protocol;
using Spectre.Console;

namespace ActorContractivity.Cli.Cluster;

/// <summary>
/// Shows a job's progress on standard error: a live status line on a terminal, plain lines (one per outer step or
/// phase, at most one a second otherwise) when it is redirected, or nothing.
/// </summary>
public sealed class ProgressDisplay
{
    private readonly TextWriter? _plain;
    private readonly IAnsiConsole? _terminal;
    private JobProgress? _latest;
    private string? _silence;
    private JobProgress? _written;
    private DateTime _writtenAt = DateTime.MinValue;

    private ProgressDisplay(TextWriter? plain, IAnsiConsole? terminal)
    {
        _plain = plain;
        _terminal = terminal;
    }

    /// <summary>Nothing is shown.</summary>
    public static ProgressDisplay None { get; } = new(null, null);

    /// <summary>
    /// A live line when <paramref name="error"/> is the process's standard error on a terminal; plain lines on
    /// <paramref name="error"/> otherwise when <paramref name="plainWhenRedirected"/>, else nothing.
    /// </summary>
    public static ProgressDisplay For(TextWriter error, bool plainWhenRedirected)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            return new ProgressDisplay(null, AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(Console.Error),
            }));
        }

        return plainWhenRedirected ? new ProgressDisplay(error, null) : None;
    }

    /// <summary>Takes a progress report (from an actor thread).</summary>
    public void Report(JobProgress progress)
    {
        Volatile.Write(ref _silence, null);
        Volatile.Write(ref _latest, progress);
        if (_plain is null)
        {
            return;
        }

        lock (_plain)
        {
            var now = DateTime.UtcNow;
            var changed = _written is null || _written.OuterStep != progress.OuterStep
                || _written.Phase != progress.Phase;
            if (changed || now - _writtenAt >= TimeSpan.FromSeconds(1))
            {
                _plain.WriteLine(Describe(progress));
                _written = progress;
                _writtenAt = now;
            }
        }
    }

    /// <summary>
    /// Says that the job has sent nothing for <paramref name="quiet"/> (from an actor thread): a plain line, or the
    /// live line until the next report.
    /// </summary>
    public void Silent(TimeSpan quiet)
    {
        var seconds = quiet.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        var line = $"no news of the job for {seconds} s: its coordinator node may be down or overloaded; "
            + "waiting (the job resumes when a coordinator node returns with its data directory; Ctrl-C leaves the "
            + "job to the cluster)";
        Volatile.Write(ref _silence, line);
        if (_plain is null)
        {
            return;
        }

        lock (_plain)
        {
            _plain.WriteLine(line);
        }
    }

    /// <summary>Waits for the job's outcome, updating the live line meanwhile.</summary>
    public IJobMessage Follow(Task<IJobMessage> outcome)
    {
        if (_terminal is null)
        {
            return outcome.GetAwaiter().GetResult();
        }

        _terminal.Status().Spinner(Spinner.Known.Dots).Start("submitting the job", context =>
        {
            while (!outcome.Wait(TimeSpan.FromMilliseconds(100)))
            {
                if (Volatile.Read(ref _silence) is { } silence)
                {
                    context.Status(Markup.Escape(silence));
                }
                else if (Volatile.Read(ref _latest) is { } latest)
                {
                    context.Status(Markup.Escape(Describe(latest)));
                }
            }
        });
        return outcome.GetAwaiter().GetResult();
    }

    /// <summary>One line: phase, outer step, the best safe end and φ so far, tasks and workers.</summary>
    public static string Describe(JobProgress p)
    {
        var culture = CultureInfo.InvariantCulture;
        var parts = new List<string> { $"job {p.JobId}: {p.Phase}", $"outer step {p.OuterStep}" };
        if (p.SafeEnd is { } safe)
        {
            parts.Add(string.Create(culture, $"best safe θ {safe:G10}"));
        }

        if (p.Phi is { } phi)
        {
            parts.Add(string.Create(culture, $"φ {phi:G6}"));
        }

        parts.Add($"tasks {p.TasksDone}/{p.TasksTotal}");
        parts.Add($"workers {p.LiveWorkers}");
        return string.Join(", ", parts);
    }
}
