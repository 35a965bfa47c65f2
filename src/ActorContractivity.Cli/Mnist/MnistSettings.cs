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

/// <summary>The lists of attack strengths, and numbers as messages write them.</summary>
internal static class Check
{
    /// <summary>
    /// Parses a comma-separated list of distinct numbers in (0, 1]. An empty item or a repeated value is refused, and
    /// a value out of range in a list with commas is explained: "0,05" is the two items 0 and 05.
    /// </summary>
    public static double[] Strengths(string option, string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var list = Describe.Quote(text);
        if (items.All(item => item.Length == 0))
        {
            throw new InputException($"{option}: expected a comma-separated list of numbers, got {list}");
        }

        string Where(int k) => items.Length > 1
            ? $" (item {k + 1} of {list}; commas separate the items, so write decimals with a point, e.g. 0.05)"
            : "";

        var values = new double[items.Length];
        for (var k = 0; k < items.Length; k++)
        {
            if (items[k].Length == 0)
            {
                throw new InputException($"{option}: item {k + 1} of {list} is empty");
            }

            if (!double.TryParse(items[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new InputException($"{option}: {Describe.Quote(items[k])} is not a number{Where(k)}");
            }

            if (!(value > 0 && value <= 1))
            {
                throw new InputException($"{option}: must be a number in (0, 1], got {F(value)}{Where(k)}");
            }

            if (values.AsSpan(0, k).Contains(value))
            {
                throw new InputException($"{option}: {F(value)} is given twice in {list}; each value is one column "
                    + "of the results");
            }

            values[k] = value;
        }

        return values;
    }

    public static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
