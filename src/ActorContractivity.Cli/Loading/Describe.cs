using System.Globalization;
using System.Text;

namespace ActorContractivity.Cli.Loading;

/// <summary>Wording shared by the loaders, so that every reader names cells, shapes and values the same way.</summary>
internal static class Describe
{
    private const int MaxQuotedLength = 40;

    /// <summary>A cell position; rows and columns are 1-based everywhere because users read them off editors.</summary>
    internal static string Cell(int row, int col) => $"row {row + 1}, column {col + 1} (1-based)";

    /// <summary>A matrix shape such as <c>3×4</c>.</summary>
    internal static string Shape(int rows, int cols) => $"{rows}×{cols}";

    /// <summary>A count of values in a row: <c>1 value</c>, <c>3 values</c>.</summary>
    internal static string Values(int count) => count == 1 ? "1 value" : $"{count} values";

    /// <summary>Why a non-finite weight is refused.</summary>
    internal static string NonFinite(double value) =>
        (double.IsNaN(value) ? "NaN" : value > 0 ? "infinity" : "-infinity")
        + " is not allowed; weights must be finite numbers";

    /// <summary>
    /// Quotes user text for a one-line message: control characters are escaped (a newline would break the line)
    /// and long text is cut, since a whole garbage line would bury the position that matters.
    /// </summary>
    internal static string Quote(string text, char quote = '"')
    {
        var builder = new StringBuilder().Append(quote);
        foreach (var c in text.Length > MaxQuotedLength ? text[..MaxQuotedLength] : text)
        {
            var escaped = c switch
            {
                _ when c == quote => "\\" + quote,
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escaped is null)
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(escaped);
            }
        }

        return builder.Append(text.Length > MaxQuotedLength ? "…" : "").Append(quote).ToString();
    }

    /// <summary>
    /// Recognises the infinities .NET does not parse but other tools write (NumPy's <c>inf</c>, <c>∞</c>), so that
    /// they are refused as infinities rather than reported as text that is not a number.
    /// </summary>
    internal static bool TryParseInfinitySpelling(string text, out double value)
    {
        var negative = text.StartsWith('-');
        var magnitude = text.Length > 1 && text[0] is '+' or '-' ? text[1..] : text;
        var isInfinity = magnitude.Equals("inf", StringComparison.OrdinalIgnoreCase) || magnitude == "∞";
        value = negative ? double.NegativeInfinity : double.PositiveInfinity;
        return isInfinity;
    }
}
