using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using ActorContractivity.Cluster.Hosting;
using Microsoft.Extensions.Configuration;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// The environment variables a node reads, derived from the settings classes by reflection: every public property
/// with a setter is a key (<c>ACTORCONTRACTIVITY_Section__Key</c>), a list's items are <c>…__0</c>, <c>…__1</c>.
/// </summary>
public static class SettingsKeys
{
    private static readonly Regex[] Patterns = Keys(typeof(ContractivitySettings), "")
        .Select(key => new Regex($"^{Regex.Escape(ContractivitySettings.EnvironmentPrefix)}{key}$"))
        .ToArray();

    /// <summary>The keys as patterns (<c>Node__SeedNodes__\d+</c>), for messages.</summary>
    public static IReadOnlyList<string> Described { get; } = Keys(typeof(ContractivitySettings), "").ToArray();

    /// <summary>Does the program read this environment variable (exact case, as the README spells it)?</summary>
    public static bool IsRead(string variable) => Patterns.Any(p => p.IsMatch(variable));

    /// <summary>The value of a configuration default: the settings object after binding nothing.</summary>
    public static ContractivitySettings Defaults() =>
        ContractivitySettings.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false).Build());

    private static IEnumerable<string> Keys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.SetMethod is { IsPublic: true }))
        {
            var name = prefix + property.Name;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(propertyType))
            {
                yield return name;
            }
            else if (typeof(IList).IsAssignableFrom(propertyType) && propertyType.IsGenericType)
            {
                var item = propertyType.GetGenericArguments()[0];
                if (IsScalar(item))
                {
                    yield return name + @"__\d+";
                }
                else
                {
                    foreach (var key in Keys(item, name + @"__\d+__"))
                    {
                        yield return key;
                    }
                }
            }
            else
            {
                foreach (var key in Keys(propertyType, name + "__"))
                {
                    yield return key;
                }
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
}
