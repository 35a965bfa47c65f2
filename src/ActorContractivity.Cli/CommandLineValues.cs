using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace ActorContractivity.Cli;

/// <summary>
/// Options whose values are read strictly. The default parsing of numbers takes ',' as a thousands separator, so
/// "--c 0,05" would silently mean c = 5; here a number is an invariant-culture decimal and nothing else, and a path
/// option refuses a value that is the next option's name ("--json --c").
/// </summary>
internal static class CommandLineValues
{
    /// <summary>A number option with a default value.</summary>
    internal static Option<double> Number(string name, string description, double defaultValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseNumber(name, result) ?? defaultValue,
        };

    /// <summary>A number option that may be absent.</summary>
    internal static Option<double?> OptionalNumber(string name, string description) =>
        new(name) { Description = description, CustomParser = result => ParseNumber(name, result) };

    /// <summary>A whole number option that may be absent, in [low, high].</summary>
    internal static Option<long?> OptionalWhole(string name, string description, long low, long high) =>
        new(name) { Description = description, CustomParser = result => ParseWhole(name, result, low, high) };

    /// <summary>
    /// A whole number in [<paramref name="low"/>, <paramref name="high"/>], or null with an error on the result; a
    /// value beyond the range of long is refused with the range too, not as a failed conversion.
    /// </summary>
    internal static long? ParseWhole(string name, ArgumentResult result, long low, long high)
    {
        var text = Single(result);
        var range = $"[{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}]";
        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{name}: '{text}' is not a whole number (expected one in {range})");
        }
        else if (value < low || value > high)
        {
            result.AddError($"{name}: must be a whole number in {range}, got {value}");
        }
        else
        {
            return (long)value;
        }

        return null;
    }

    /// <summary>A file path option.</summary>
    internal static Option<string?> Path(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var text = Single(result);
                if (text.StartsWith('-') && text.Length > 1)
                {
                    result.AddError($"{name}: expected a file path, got '{text}' (write ./{text} for a file whose "
                        + "name starts with '-')");
                    return null;
                }

                return text;
            },
        };

    /// <summary>
    /// A port option that may be absent: a whole number from <paramref name="lowest"/> (0 where it means "any free
    /// port", else 1) to 65535.
    /// </summary>
    internal static Option<int?> Port(string name, string description, int lowest) =>
        new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var text = Single(result);
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                    && port >= lowest && port <= 65535)
                {
                    return port;
                }

                result.AddError($"{name}: expected a port, a whole number from {lowest} to 65535, got '{text}'");
                return null;
            },
        };

    private static double? ParseNumber(string name, ArgumentResult result)
    {
        var text = Single(result);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || Loading.Describe.TryParseInfinitySpelling(text, out value))
        {
            return value;
        }

        var hint = text.Contains(',', StringComparison.Ordinal) ? " (write decimals with a point, e.g. 0.05)" : "";
        result.AddError($"{name}: '{text}' is not a number{hint}");
        return null;
    }

    private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
}
