using System.Globalization;
using ActorContractivity.Cli.Loading;

namespace ActorContractivity.Cli.Mnist;

/// <summary>Where the digits are and how they are split.</summary>
internal sealed record DataSettings(string Directory, int TrainSize, int TestSize, int Seed);

/// <summary>The model and its training.</summary>
internal sealed record TrainSettings(
    int Dimension, double Time, int Steps, int Epochs, int BatchSize, double LearningRate, int Shift);

/// <summary>The certification question: Euler steps contracting at rate c, within a time budget.</summary>
internal sealed record CertifySettings(double C, double Budget, int Starts);

/// <summary>The log-norm penalty and the fine-tuning of the stabilised model.</summary>
internal sealed record StabiliseSettings(
    double TargetSlope,
    double PenaltyWeight,
    double Margin,
    int PenaltyEpochs,
    int PenaltyRounds,
    double PenaltyLearningRate,
    int FinetuneEpochs,
    double FinetuneLearningRate);

/// <summary>The attacks.</summary>
internal sealed record AttackSettings(IReadOnlyList<double> Epsilons, IReadOnlyList<double> NoiseLevels, int PgdSteps);

/// <summary>Checks of option values; each failure is one line naming the option.</summary>
internal static class Check
{
    /// <summary>A whole number in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static void Range(string option, int value, int low, int high)
    {
        if (value < low || value > high)
        {
            throw new InputException($"{option}: must be a whole number in [{low}, {high}], got {value}");
        }
    }

    /// <summary>A finite number in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static void Range(string option, double value, double low, double high)
    {
        if (!(value >= low && value <= high))
        {
            throw new InputException($"{option}: must be a number in [{F(low)}, {F(high)}], got {F(value)}");
        }
    }

    /// <summary>A positive finite number at most <paramref name="high"/>.</summary>
    public static void Positive(string option, double value, double high)
    {
        if (!(value > 0 && value <= high))
        {
            throw new InputException($"{option}: must be a number in (0, {F(high)}], got {F(value)}");
        }
    }

    /// <summary>Parses a comma-separated list of numbers in [0, 1].</summary>
    public static double[] Strengths(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new InputException($"{option}: expected a comma-separated list of numbers, got \"{text}\"");
        }

        return parts.Select(part =>
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new InputException($"{option}: {Describe.Quote(part)} is not a number");
            }

            Positive(option, value, 1);
            return value;
        }).ToArray();
    }

    public static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
