using Microsoft.Extensions.Options;
using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>
/// Validates <see cref="StatisticsCacheOptions"/> at start-up (registered with ValidateOnStart),
/// so a bad option stops the host with a message naming the option and what is allowed,
/// instead of failing the first refresh at 3 a.m.
/// </summary>
internal sealed class StatisticsCacheOptionsValidator : IValidateOptions<StatisticsCacheOptions>
{
    private readonly StatisticsCacheRegistry _registry;

    public StatisticsCacheOptionsValidator(StatisticsCacheRegistry registry) => _registry = registry;

    public ValidateOptionsResult Validate(string? name, StatisticsCacheOptions options)
    {
        if (_registry.Find(name) is not { } marker)
        {
            return ValidateOptionsResult.Skip; // options of that name belong to no registered cache
        }

        var failures = Problems(options, marker).Concat(NamedCacheProblems(options, marker, _registry)).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(NamingTheCache(failures, marker));
    }

    /// <summary>A named cache's failures say which cache they are about (the default cache's read as before).</summary>
    internal static IEnumerable<string> NamingTheCache(IEnumerable<string> failures, StatisticsCacheMarker marker) =>
        marker.Name is null ? failures : failures.Select(f => $"StatsCache {marker.Describe}: {f}");

    /// <summary>
    /// One set of tables holds one cache: a named cache must not fall back to the default cache's tables.
    /// Without a DbContext it must name its own <see cref="StatisticsCacheOptions.Schema"/>; bound to a DbContext,
    /// the context (whose model places its tables) must be one no other cache is bound to.
    /// </summary>
    internal static IEnumerable<string> NamedCacheProblems(StatisticsCacheOptions o, StatisticsCacheMarker marker, StatisticsCacheRegistry registry)
    {
        if (marker.Name is null)
        {
            yield break;
        }

        if (marker.DbContextType is { } context)
        {
            if (registry.All.FirstOrDefault(m => m != marker && m.DbContextType == context) is { } other)
            {
                yield return $"it is bound to {context.Name} like {other.Describe}, so both would use the same tables (one set of tables holds one cache); " +
                    $"bind it to a DbContext of its own whose model calls modelBuilder.UseStatisticsCache(\"{marker.Name}_stats\").";
            }
        }
        else if (o.Schema is null)
        {
            yield return $"StatisticsCacheOptions.Schema is not set; a named cache needs tables of its own (one set of tables holds one cache): " +
                $"set Schema (e.g. \"{marker.Name}_stats\") to a schema no other cache uses, or bind it with UseDbContext<TContext>() to a DbContext of its own " +
                $"whose model calls modelBuilder.UseStatisticsCache(\"{marker.Name}_stats\").";
        }
    }

    internal static IEnumerable<string> Problems(StatisticsCacheOptions o, StatisticsCacheMarker marker)
    {
        var boundToDbContext = marker.DbContextType is not null;
        bool Mapped(SourceRole role) => marker.EntitySources.Any(m => m.Role == role);
        if (marker.EntitySources.Count > 0 && !boundToDbContext)
        {
            yield return "Sources are mapped to entity types (Map…<TEntity>) but no DbContext is bound; call UseDbContext<TContext>().";
        }

        if (!boundToDbContext && string.IsNullOrWhiteSpace(o.ConnectionString) && o.DataSource is null)
        {
            yield return "StatisticsCacheOptions.ConnectionString is empty; set it (or DataSource), or bind the cache to a DbContext with UseDbContext<TContext>().";
        }

        if (o.Schema is not null && SqlIdentifier.Problem(o.Schema) is { } schemaProblem)
        {
            yield return $"StatisticsCacheOptions.Schema {schemaProblem}.";
        }

        if (!Enum.IsDefined(o.Deletions))
        {
            yield return $"StatisticsCacheOptions.Deletions is {(int)o.Deletions}; allowed: {string.Join(", ", Enum.GetNames<SourceDeletions>())}.";
        }

        if (!Enum.IsDefined(o.DefaultReadMode))
        {
            yield return $"StatisticsCacheOptions.DefaultReadMode is {(int)o.DefaultReadMode}; allowed: {string.Join(", ", Enum.GetNames<ReadMode>())}.";
        }

        if (SqlIdentifier.Problem(o.CacheName) is { } nameProblem)
        {
            yield return $"StatisticsCacheOptions.CacheName {nameProblem}.";
        }

        foreach (var p in SourceRelation.Validate(o.Sessions, "StatisticsCacheOptions.Sessions", required: !Mapped(SourceRole.Sessions)))
        {
            yield return p;
        }

        foreach (var p in SourceRelation.Validate(o.HumanMessages, "StatisticsCacheOptions.HumanMessages", required: !Mapped(SourceRole.HumanMessages)))
        {
            yield return p;
        }

        foreach (var p in SourceRelation.Validate(o.Versions, "StatisticsCacheOptions.Versions", required: false))
        {
            yield return p;
        }

        foreach (var p in MeasureValidation.Problems(MeasureCatalog.Declared(o), marker.EntitySources.OfType<LinqSourceMapping>().Where(m => m.Role == SourceRole.Measure).Select(m => m.MeasureName!).ToList()))
        {
            yield return "StatisticsCacheOptions." + p;
        }

        if (o.HourlyRetention < TimeSpan.FromDays(1) || o.HourlyRetention > TimeSpan.FromDays(31))
        {
            yield return $"StatisticsCacheOptions.HourlyRetention is {o.HourlyRetention}; allowed is 1 day to 31 days.";
        }

        if (o.DailyRetention < o.HourlyRetention || o.DailyRetention > TimeSpan.FromDays(3660))
        {
            yield return $"StatisticsCacheOptions.DailyRetention is {o.DailyRetention}; allowed is HourlyRetention ({o.HourlyRetention}) to 3660 days.";
        }

        if (o.LookBack < TimeSpan.Zero || o.LookBack >= o.HourlyRetention)
        {
            yield return $"StatisticsCacheOptions.LookBack is {o.LookBack}; allowed is 0 to less than HourlyRetention ({o.HourlyRetention}).";
        }

        if (ReportingTimeZone.Problem(o.TimeZone) is { } zoneProblem)
        {
            yield return $"StatisticsCacheOptions.TimeZone '{o.TimeZone}' {zoneProblem}.";
        }

        if (o.CommandTimeout < TimeSpan.FromSeconds(1) || o.CommandTimeout > TimeSpan.FromHours(24))
        {
            yield return $"StatisticsCacheOptions.CommandTimeout is {o.CommandTimeout}; allowed is 1 second to 24 hours.";
        }

        if (o.MaxRowsPerChunk < 1 || o.MaxRowsPerChunk > 1_000_000_000)
        {
            yield return $"StatisticsCacheOptions.MaxRowsPerChunk is {o.MaxRowsPerChunk}; allowed is 1 to 1,000,000,000.";
        }

        if (o.BulkBuildMaxRows < 0 || o.BulkBuildMaxRows > 1_000_000_000)
        {
            yield return $"StatisticsCacheOptions.BulkBuildMaxRows is {o.BulkBuildMaxRows}; allowed is 0 to 1,000,000,000.";
        }
    }
}
