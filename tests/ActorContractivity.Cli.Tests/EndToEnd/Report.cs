using System.Globalization;
using System.Text.Json;

namespace ActorContractivity.Cli.Tests.EndToEnd;

/// <summary>Reads the JSON report a run wrote.</summary>
public static class Report
{
    /// <summary>Parses the report at <paramref name="path"/> (the caller disposes it).</summary>
    public static JsonDocument Read(string path) => JsonDocument.Parse(File.ReadAllBytes(path));

    /// <summary>A number field, e.g. <c>Number(root, "settings", "seed")</c>.</summary>
    public static double Number(JsonElement root, params string[] path) => Field(root, path).GetDouble();

    /// <summary>A string field.</summary>
    public static string Text(JsonElement root, params string[] path) => Field(root, path).GetString()!;

    /// <summary>A boolean field.</summary>
    public static bool Flag(JsonElement root, params string[] path) => Field(root, path).GetBoolean();

    /// <summary>A field by its path of property names.</summary>
    public static JsonElement Field(JsonElement root, params string[] path) =>
        path.Aggregate(root, (element, name) => element.GetProperty(name));

    /// <summary>A number as a command-line value that round-trips exactly.</summary>
    public static string Arg(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
