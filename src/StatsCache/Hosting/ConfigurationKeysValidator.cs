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

        // The binder drops an element of a list whose value it cannot convert (Measures:0:Aggregate = Average) without a
        // word, leaving the default: a measure would count what it should sum. Say so instead.
        if (property.PropertyType.IsEnum && section.Value is { } value && !Enum.TryParse(property.PropertyType, value, ignoreCase: true, out _))
        {
            failures.Add($"{section.Path} is '{value}'; allowed: {string.Join(", ", Enum.GetNames(property.PropertyType))}.");
            return;
        }

        if (IsNestedOptions(property.PropertyType))
        {
            foreach (var child in section.GetChildren())
            {
                CheckKey(child, property.PropertyType, failures);
            }
        }
        else if (ListItemOptions(property.PropertyType) is { } item)
        {
            // A list of our options (Measures): every element's keys are checked against the element type.
            foreach (var element in section.GetChildren())
            {
                if (!int.TryParse(element.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    failures.Add($"{element.Path} is not an element of the list {section.Path}; number them (e.g. {section.Path}:0:Name).");
                    continue;
                }

                foreach (var child in element.GetChildren())
                {
                    CheckKey(child, item, failures);
                }
            }
        }
    }

    /// <summary>The element type of a list of our option classes (<c>IList&lt;MeasureOptions&gt;</c>), or null.</summary>
    private static Type? ListItemOptions(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) && IsNestedOptions(type.GetGenericArguments()[0])
            ? type.GetGenericArguments()[0]
            : null;

    /// <summary>The get-only source options (<c>Sessions</c>, <c>HumanMessages</c>, <c>Versions</c>): our own option classes.</summary>
    private static bool IsNestedOptions(Type type) => type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("StatsCache", StringComparison.Ordinal) == true;
}
