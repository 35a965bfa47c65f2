using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorContractivity.Cli.Reporting;

/// <summary>Writes reports so that a reader never sees a half-written file.</summary>
public static class ReportWriter
{
    /// <summary>
    /// Indented camelCase JSON; nulls are written so absent answers are explicit, and so is a number that is not
    /// finite (JSON has no −∞: e.g. the log-norm of a discrete step that maps every difference to zero).
    /// </summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new NonFiniteAsNull() },
    };

    /// <summary>Writes ±∞ and NaN as null; reads null back as NaN.</summary>
    private sealed class NonFiniteAsNull : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>Serialises to a temporary file beside the target, then renames it over the target.</summary>
    public static void WriteAtomically<T>(string path, T report)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(report, Options));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
