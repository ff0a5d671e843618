using StatsCache.Sources;
using StatsCache.Storage;

namespace StatsCache.Internal;

/// <summary>The quoted, schema-qualified names of the host-declared measures' tables.</summary>
/// <param name="Buckets">Time buckets per experiment and measure.</param>
/// <param name="Totals">Totals per experiment and measure.</param>
/// <param name="Sessions">Totals per session and measure.</param>
/// <param name="Registry">The measures each cache has built.</param>
internal sealed record MeasureTableNames(string Buckets, string Totals, string Sessions, string Registry)
{
    public static MeasureTableNames Default(string? schema) => new(
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentMeasureBuckets),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.ExperimentMeasures),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.SessionMeasures),
        SqlIdentifier.QuoteQualified(schema, StorageTableNames.Measures));
}
