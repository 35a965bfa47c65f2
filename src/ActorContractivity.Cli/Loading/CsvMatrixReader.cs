using System.Globalization;
using System.Text;
using ActorContractivity.Core.Model;
using CsvHelper;
using CsvHelper.Configuration;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// Reads a matrix from a CSV file: one row per line, comma-separated numbers in the invariant culture, no header.
/// Spaces and tabs around values and blank lines at the end are ignored; <c>\n</c> and <c>\r\n</c> both work.
/// </summary>
public static class CsvMatrixReader
{
    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        HasHeaderRecord = false,
        Delimiter = ",",
        DetectDelimiter = false,
        // Blank lines are kept so that one inside the matrix is refused rather than silently closing the gap.
        IgnoreBlankLines = false,
        TrimOptions = TrimOptions.Trim,
        WhiteSpaceChars = [' ', '\t'],
        // A stray quote inside a value then surfaces as "is not a number" with its position.
        BadDataFound = null,
        // No weight needs more characters; the limit stops a binary or endless file (say /dev/zero) early.
        MaxFieldSize = MaxFieldLength,
    };

    /// <summary>The longest value accepted, in characters.</summary>
    public const int MaxFieldLength = 1000;

    /// <summary>Reads the matrix in <paramref name="path"/>.</summary>
    /// <exception cref="InputException">
    /// The file is missing, empty or ragged, or holds a value that is not a finite number.
    /// </exception>
    public static Matrix Read(string path) => Read(path, path);

    /// <summary>Reads the matrix in <paramref name="path"/>; <paramref name="label"/> names it in errors.</summary>
    internal static Matrix Read(string path, string label)
    {
        using var stream = InputFile.OpenRead(path, label);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, Configuration);

        var rows = new List<double[]>();
        int? firstBlankRow = null;
        while (ReadRow(parser, label, rows.Count + (firstBlankRow is null ? 0 : 1)))
        {
            var row = parser.Row - 1;
            if (parser.Count == 1 && parser[0].Length == 0)
            {
                firstBlankRow ??= row;
                continue;
            }

            if (firstBlankRow is { } blank)
            {
                throw new InputException($"{label}: row {blank + 1} is blank; blank lines are only allowed at the end");
            }

            if (rows.Count > 0 && parser.Count != rows[0].Length)
            {
                throw new InputException($"{label}: row {row + 1} has {Describe.Values(parser.Count)} but row 1 has "
                    + $"{rows[0].Length}; every row needs the same number of values");
            }

            var values = new double[parser.Count];
            for (var j = 0; j < values.Length; j++)
            {
                values[j] = ParseValue(parser[j], label, row, j);
            }

            rows.Add(values);
        }

        if (rows.Count == 0)
        {
            throw new InputException($"{label}: the file is empty; expected rows of comma-separated numbers");
        }

        return Matrix.FromRows(rows);
    }

    private static bool ReadRow(CsvParser parser, string label, int rowsSoFar)
    {
        try
        {
            return parser.Read();
        }
        catch (MaxFieldSizeException)
        {
            throw new InputException($"{label}: row {rowsSoFar + 1}: a value runs past {MaxFieldLength} characters; "
                + "expected rows of comma-separated numbers (is this a text CSV file?)");
        }
    }

    private static double ParseValue(string text, string label, int row, int col)
    {
        var where = $"{label}: {Describe.Cell(row, col)}";
        if (text.Length == 0)
        {
            throw new InputException($"{where}: the value is empty");
        }

        // .NET's number parsing ignores trailing NUL characters; a value holding one is not a number.
        if (text.Contains('\0'))
        {
            throw new InputException($"{where}: the value contains a NUL byte; expected a number");
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            if (double.IsFinite(value))
            {
                return value;
            }

            // .NET parses out-of-range literals such as 1e400 to infinity instead of failing.
            if (text.Any(char.IsAsciiDigit))
            {
                throw new InputException($"{where}: {Describe.Quote(text)} is too large for a double; "
                    + "weights must be finite numbers");
            }
        }
        else if (!Describe.TryParseInfinitySpelling(text, out value))
        {
            throw new InputException($"{where}: {Describe.Quote(text)} is not a number");
        }

        throw new InputException($"{where}: {Describe.Quote(text)}: {Describe.NonFinite(value)}");
    }
}
