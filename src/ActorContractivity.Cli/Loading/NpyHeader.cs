using System.Globalization;
using System.Text;

namespace ActorContractivity.Cli.Loading;

/// <summary>
/// The header dict of a .npy file, e.g. <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// It is a Python literal, so a small literal parser reads it; only the three keys NumPy writes are accepted.
/// </summary>
/// <param name="Descr">The dtype string, e.g. <c>&lt;f8</c>; null for a structured dtype (a list).</param>
/// <param name="FortranOrder">True when the data is stored column by column.</param>
/// <param name="Shape">The array shape.</param>
internal sealed record NpyHeader(string? Descr, bool FortranOrder, IReadOnlyList<long> Shape)
{
    private static readonly string[] RequiredKeys = ["descr", "fortran_order", "shape"];

    /// <summary>Parses the header text; <paramref name="label"/> names the file in errors.</summary>
    internal static NpyHeader Parse(string text, string label)
    {
        var parser = new LiteralParser(text, label);
        var dict = parser.ParseHeaderDict();
        foreach (var key in dict.Keys)
        {
            if (!RequiredKeys.Contains(key))
            {
                throw Malformed(label, $"unexpected key {Describe.Quote(key)}");
            }
        }

        foreach (var key in RequiredKeys)
        {
            if (!dict.ContainsKey(key))
            {
                throw Malformed(label, $"the key '{key}' is missing");
            }
        }

        var descr = dict["descr"] switch
        {
            string s => s,
            List<object?> => null,
            _ => throw Malformed(label, "'descr' must be a dtype string"),
        };
        if (dict["fortran_order"] is not bool fortranOrder)
        {
            throw Malformed(label, "'fortran_order' must be True or False");
        }

        if (dict["shape"] is not List<object?> shapeItems || shapeItems.Any(d => d is not long))
        {
            throw Malformed(label, "'shape' must be a tuple of integers");
        }

        var shape = shapeItems.Cast<long>().ToArray();
        if (shape.Any(d => d < 0))
        {
            throw Malformed(label, "'shape' has a negative dimension");
        }

        return new NpyHeader(descr, fortranOrder, shape);
    }

    /// <summary>The shape the way NumPy prints it: <c>(3, 4)</c>, <c>(5,)</c>, <c>()</c>.</summary>
    internal string ShapeText() => Shape.Count == 1
        ? $"({Shape[0]},)"
        : "(" + string.Join(", ", Shape) + ")";

    private static InputException Malformed(string label, string problem) =>
        new($"{label}: malformed .npy header: {problem}");

    /// <summary>
    /// Reads the Python literals that can appear in a header: a dict with string keys whose values are strings,
    /// True/False/None, integers, and tuples or lists of those (a structured descr is a list of tuples).
    /// </summary>
    private sealed class LiteralParser(string text, string label)
    {
        private static readonly (string Word, object? Value)[] Constants =
            [("True", true), ("False", false), ("None", null)];

        private int _position;

        internal Dictionary<string, object?> ParseHeaderDict()
        {
            SkipWhitespace();
            Expect('{');
            var dict = new Dictionary<string, object?>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}'))
                {
                    break;
                }

                if (Peek() is not ('\'' or '"'))
                {
                    throw Error("expected a quoted key");
                }

                var key = ParseString();
                SkipWhitespace();
                Expect(':');
                var value = ParseValue();
                if (!dict.TryAdd(key, value))
                {
                    throw Malformed(label, $"the key {Describe.Quote(key)} appears twice");
                }

                SkipWhitespace();
                if (!TryConsume(','))
                {
                    SkipWhitespace();
                    Expect('}');
                    break;
                }
            }

            SkipWhitespace();
            if (_position < text.Length)
            {
                throw Error("unexpected text after the closing '}'");
            }

            return dict;
        }

        private object? ParseValue()
        {
            SkipWhitespace();
            switch (Peek())
            {
                case '\'' or '"':
                    return ParseString();
                case '(':
                    return ParseSequence(')');
                case '[':
                    return ParseSequence(']');
                case '-' or (>= '0' and <= '9'):
                    return ParseInteger();
            }

            foreach (var (word, value) in Constants)
            {
                if (TryConsumeWord(word))
                {
                    return value;
                }
            }

            throw Error("expected a value");
        }

        private List<object?> ParseSequence(char close)
        {
            _position++;
            var items = new List<object?>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(close))
                {
                    return items;
                }

                items.Add(ParseValue());
                SkipWhitespace();
                if (!TryConsume(','))
                {
                    Expect(close);
                    return items;
                }
            }
        }

        private string ParseString()
        {
            var quote = text[_position++];
            var builder = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                // NumPy never writes escapes in a header; taking the next character literally is enough.
                if (text[_position] == '\\' && _position + 1 < text.Length)
                {
                    _position++;
                }

                builder.Append(text[_position++]);
            }

            Expect(quote);
            return builder.ToString();
        }

        private long ParseInteger()
        {
            var start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }

            var digits = text[start.._position];
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                throw Error($"{Describe.Quote(digits)} is not a valid integer");
            }

            return value;
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private char? Peek() => _position < text.Length ? text[_position] : null;

        private bool TryConsume(char c)
        {
            if (Peek() != c)
            {
                return false;
            }

            _position++;
            return true;
        }

        private bool TryConsumeWord(string word)
        {
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0)
            {
                return false;
            }

            _position += word.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error($"expected '{c}'");
            }
        }

        private InputException Error(string problem)
        {
            var where = _position < text.Length ? $"at character {_position + 1}" : "at the end";
            return Malformed(label, $"{problem} {where}");
        }
    }
}
