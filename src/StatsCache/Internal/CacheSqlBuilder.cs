using StatsCache.Policy;
using StatsCache.Sources;
using StatsCache.Sql;

namespace StatsCache.Internal;

/// <summary>The cache's statement inputs (<see cref="CacheSql"/>) from its resolved sources and table names.</summary>
internal static class CacheSqlBuilder
{
    public static CacheSql Build(StatisticsCacheOptions options, SourceResolution sources, CacheTableNames tables, CacheKeys keys)
    {
        var versions = sources.Versions;
        return new CacheSql(
            SourceRelation.ToSql(sources.Sessions),
            SourceRelation.ToSql(sources.HumanMessages),
            versions.IsConfigured ? SourceRelation.ToSql(versions) : null,
            tables.Buckets, tables.SessionStatistics, tables.FirstSeen, tables.State, tables.Runs,
            ReportingTimeZone.FromId(options.TimeZone))
        {
            MirrorDeletions = options.Deletions == SourceDeletions.Mirror,
            VersionsHaveTeam = versions.IsConfigured && versions.HasTeam,
            SourceChanges = tables.SourceChanges,
            Totals = tables.Totals,
            Keys = keys,
            Measures = sources.Measures.Select(m => new HostMeasure(m.Name, m.Aggregate, SourceRelation.ToSql(m.Source))).ToList(),
            MeasureBuckets = tables.Measures.Buckets,
            MeasureTotals = tables.Measures.Totals,
            SessionMeasures = tables.Measures.Sessions,
            MeasureRegistry = tables.Measures.Registry,
        };
    }
}
