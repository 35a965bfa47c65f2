using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorContractivity.Cli.Reporting;

/// <summary>Writes reports so that a reader never sees a half-written file.</summary>
public static class ReportWriter
{
    /// <summary>Indented camelCase JSON; nulls are written so absent answers are explicit.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

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
