using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StatsCache.Hosting;

/// <summary>
/// Refuses keys of the cache's configuration section that name no option (<c>StatsCache:LookBak</c>,
/// <c>StatsCache:Sessions:Tabel</c>): the binder would ignore them silently and the cache would run with the default.
/// The <c>Maintenance</c> sub-section belongs to the hosted maintenance service and is checked against its options.
/// </summary>
internal sealed class ConfigurationKeysValidator(StatisticsCacheConfigurationSection configuration) : IValidateOptions<StatisticsCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, StatisticsCacheOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        foreach (var child in configuration.Section.GetChildren())
        {
            if (string.Equals(child.Key, StatisticsCacheConfigurationSection.MaintenanceKey, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var setting in child.GetChildren())
                {
                    CheckKey(setting, typeof(HostedMaintenanceOptions), failures);
                }
            }
            else
            {
                CheckKey(child, typeof(StatisticsCacheOptions), failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Adds a failure when <paramref name="section"/> names no property of <paramref name="type"/>; recurses into nested option objects.</summary>
    private static void CheckKey(IConfigurationSection section, Type type, List<string> failures)
    {
        var property = type.GetProperty(section.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
        {
            var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);
            failures.Add($"{section.Path} is not an option of {type.Name}; known: {string.Join(", ", known)}.");
            return;
        }

        if (IsNestedOptions(property.PropertyType))
        {
            foreach (var child in section.GetChildren())
            {
                CheckKey(child, property.PropertyType, failures);
            }
        }
    }

    /// <summary>The get-only source options (<c>Sessions</c>, <c>HumanMessages</c>, <c>Versions</c>): our own option classes.</summary>
    private static bool IsNestedOptions(Type type) => type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("StatsCache", StringComparison.Ordinal) == true;
}
