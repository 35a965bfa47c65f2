using System.Diagnostics;

namespace ActorContractivity.Core.Certify;

/// <summary>
/// A point in time by the monotonic clock, checked inside long computations (bound minimisations, node
/// evaluations) so that a budgeted search stops close to its deadline instead of after the work in hand.
/// </summary>
public readonly record struct Deadline
{
    private readonly long _timestamp;

    private Deadline(long timestamp) => _timestamp = timestamp;

    /// <summary>No deadline (also the default value).</summary>
    public static Deadline None => default;

    /// <summary>The deadline <paramref name="seconds"/> from now (none for +∞, now for zero or less).</summary>
    public static Deadline After(double seconds)
    {
        if (double.IsPositiveInfinity(seconds) || seconds >= 1e9)
        {
            return None;
        }

        var now = Stopwatch.GetTimestamp();
        return new Deadline(Math.Max(now + (long)(Math.Max(seconds, 0) * Stopwatch.Frequency), 1));
    }

    /// <summary>True once the deadline has passed.</summary>
    public bool Passed => _timestamp != 0 && Stopwatch.GetTimestamp() >= _timestamp;
}
