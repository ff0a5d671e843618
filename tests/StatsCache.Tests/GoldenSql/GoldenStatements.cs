using Microsoft.EntityFrameworkCore;
using StatsCache.ChangeTracking;
using StatsCache.Sources;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Tests.GoldenSql;

/// <summary>A statement the library builds, named after its builder, rendered for one configuration (null: it does not exist there).</summary>
/// <param name="Name">File name inside <c>GoldenSql/</c> without the configuration suffix, e.g. <c>ReadSql/ExperimentTotals</c>.</param>
/// <param name="Render">The statement's text for a configuration, exactly as the library sends it.</param>
internal sealed record GoldenStatement(string Name, Func<GoldenSqlConfiguration, string?> Render);

/// <summary>
/// Every statement the library builds, one row each: the table the golden files are rendered from.
/// A new statement (or a new variant of one) gets a row here, then
/// <c>STATSCACHE_UPDATE_GOLDEN=1 dotnet test tests/StatsCache.Tests --filter GoldenSql</c> writes its files.
/// Each row is rendered over every <see cref="GoldenSqlConfiguration"/>; its files are named only by the
/// configuration axes that change its text (see <see cref="GoldenSqlRenderer"/>).
/// </summary>
internal static class GoldenStatements
{
    private const bool All = false;
    private const bool Limited = true;

    /// <summary>A statement sent as several in order (one transaction): one file, the statements separated by a blank line.</summary>
    private static string Statements(IReadOnlyList<string> statements) => string.Join(";\n\n", statements);

    public static IReadOnlyList<GoldenStatement> Table { get; } =
    [
        // Maintenance: one range recompute (Maintenance/RangeRecompute.cs) — roll-up, first seen, buckets, sessions.
        new("RollUpSql/RollUp.hour-to-day", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, All))),
        new("RollUpSql/RollUp.hour-to-day.limited", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, Limited))),
        new("RollUpSql/RollUp.hour-to-month", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Month, All))),
        new("RollUpSql/RollUp.hour-to-month.limited", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Month, Limited))),
        new("RollUpSql/RollUp.day-to-month", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Day, BucketSize.Month, All))),
        new("RollUpSql/RollUp.compress.hour-to-day", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, All, merge: false))),
        new("RollUpSql/RollUp.compress.day-to-month", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Day, BucketSize.Month, All, merge: false))),
        new("RollUpSql/RollUp.day-to-month.limited", c => Statements(RollUpSql.RollUp(c.Sql(), BucketSize.Day, BucketSize.Month, Limited))),
        new("FirstSeenSql/Upsert", c => Statements(FirstSeenSql.Upsert(c.Sql(), All))),
        new("FirstSeenSql/Upsert.limited", c => Statements(FirstSeenSql.Upsert(c.Sql(), Limited))),
        new("BucketRecomputeSql/Upsert.hour", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Hour, All))),
        new("BucketRecomputeSql/Upsert.hour.limited", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Hour, Limited))),
        new("BucketRecomputeSql/Upsert.day", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Day, All))),
        new("BucketRecomputeSql/Upsert.day.limited", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Day, Limited))),
        new("BucketRecomputeSql/Upsert.month", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Month, All))),
        new("BucketRecomputeSql/Upsert.month.limited", c => Statements(BucketRecomputeSql.Upsert(c.Sql(), BucketSize.Month, Limited))),
        new("SessionTotalsSql/Upsert", c => SessionTotalsSql.Upsert(c.Sql(), All)),
        new("SessionTotalsSql/Upsert.limited", c => SessionTotalsSql.Upsert(c.Sql(), Limited)),
        new("SessionTotalsSql/RecountSessions", c => SessionTotalsSql.RecountSessions(c.Sql())),

        // Maintenance: state, runs, volumes, reconcile, verify.
        new("StateSql/Ensure", c => StateSql.Ensure(c.Sql())),
        new("StateSql/AdoptZoneWhileEmpty", c => StateSql.AdoptZoneWhileEmpty(c.Sql())),
        new("StateSql/Read", c => StateSql.Read(c.Sql())),
        new("StateSql/Advance", c => StateSql.Advance(c.Sql())),
        new("StateSql/StartBackfill", c => StateSql.StartBackfill(c.Sql())),
        new("StateSql/BackfillProgress", c => StateSql.BackfillProgress(c.Sql())),
        new("StateSql/FinishBackfill", c => StateSql.FinishBackfill(c.Sql())),
        new("StateSql/RecordRun", c => StateSql.RecordRun(c.Sql())),
        new("StateSql/EarliestSourceRow", c => StateSql.EarliestSourceRow(c.Sql(), All)),
        new("StateSql/EarliestSourceRow.limited", c => StateSql.EarliestSourceRow(c.Sql(), Limited)),
        new("VolumeSql/RowsPerHour", c => VolumeSql.RowsPerHour(c.Sql(), All)),
        new("VolumeSql/RowsPerHour.limited", c => VolumeSql.RowsPerHour(c.Sql(), Limited)),
        new("ReconcileSql/RangeTotals", c => ReconcileSql.RangeTotals(c.Sql(), All)),
        new("ReconcileSql/RangeTotals.limited", c => ReconcileSql.RangeTotals(c.Sql(), Limited)),
        new("VerifySql/Compare", c => VerifySql.Compare(c.Sql())),
        new("VerifySql/EarliestBucket", c => VerifySql.EarliestBucket(c.Sql())),

        // Maintenance: the per-experiment totals rows (after every range recompute; verify's check and repair).
        new("TotalsSql/Recompute", c => Statements(TotalsSql.Recompute(c.Sql(), All, writesBuckets: true))),
        new("TotalsSql/Recompute.limited", c => Statements(TotalsSql.Recompute(c.Sql(), Limited, writesBuckets: true))),
        new("TotalsSql/Recompute.split-bucket", c => Statements(TotalsSql.Recompute(c.Sql(), All, writesBuckets: false))),
        new("TotalsSql/Recompute.split-bucket.limited", c => Statements(TotalsSql.Recompute(c.Sql(), Limited, writesBuckets: false))),
        new("TotalsSql/ApplyBucketDeltas.hour", c => c.Sql().MirrorDeletions ? null : TotalsSql.ApplyBucketDeltas(c.Sql(), BucketSize.Hour, All)),
        new("TotalsSql/ApplyBucketDeltas.hour.limited", c => c.Sql().MirrorDeletions ? null : TotalsSql.ApplyBucketDeltas(c.Sql(), BucketSize.Hour, Limited)),
        new("TotalsSql/ApplyMovedOut", c => c.Sql().MirrorDeletions ? null : TotalsSql.ApplyMovedOut(c.Sql(), All)),
        new("TotalsSql/ApplyMovedOut.limited", c => c.Sql().MirrorDeletions ? null : TotalsSql.ApplyMovedOut(c.Sql(), Limited)),
        new("TotalsSql/MarkRange", c => c.Sql().MirrorDeletions ? TotalsSql.MarkRange(c.Sql(), All) : null),
        new("TotalsSql/MarkRange.limited", c => c.Sql().MirrorDeletions ? TotalsSql.MarkRange(c.Sql(), Limited) : null),
        new("TotalsSql/FillIfEmpty", c => TotalsSql.FillIfEmpty(c.Sql(), new DateTime(2026, 11, 24, 23, 0, 0, DateTimeKind.Utc))),
        new("TotalsSql/RemoveOrphans", c => TotalsSql.RemoveOrphans(c.Sql())),
        new("TotalsSql/Repair", c => Statements(TotalsSql.Repair(c.Sql()))),
        new("TotalsSql/Mismatches", c => TotalsSql.Mismatches(c.Sql())),

        // Maintenance: the bulk first build of an empty cache (one statement per table).
        new("BulkBuildSql/FirstSeen", c => BulkBuildSql.FirstSeen(c.Sql())),
        new("BulkBuildSql/Buckets", c => BulkBuildSql.Buckets(c.Sql())),
        new("BulkBuildSql/Sessions", c => BulkBuildSql.Sessions(c.Sql())),
        new("BulkBuildSql/Empty", c => BulkBuildSql.Empty(c.Sql())),

        // Measures: maintenance — the host-declared measures' range statements (after the built-in ones in RangeRecompute),
        // compression, whole-history build (registry step, bulk first build), registry, verify and health.
        new("MeasureBucketSql/Upsert.hour", c => MeasureBucketSql.Upsert(c.Sql(), BucketSize.Hour, All)),
        new("MeasureBucketSql/Upsert.hour.limited", c => MeasureBucketSql.Upsert(c.Sql(), BucketSize.Hour, Limited)),
        new("MeasureBucketSql/Upsert.day", c => MeasureBucketSql.Upsert(c.Sql(), BucketSize.Day, All)),
        new("MeasureBucketSql/Upsert.month", c => MeasureBucketSql.Upsert(c.Sql(), BucketSize.Month, All)),
        new("MeasureBucketSql/RollUp.hour-to-day", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, All))),
        new("MeasureBucketSql/RollUp.hour-to-day.limited", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, Limited))),
        new("MeasureBucketSql/RollUp.hour-to-month", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Month, All))),
        new("MeasureBucketSql/RollUp.day-to-month", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Day, BucketSize.Month, All))),
        new("MeasureBucketSql/RollUp.compress.hour-to-day", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Hour, BucketSize.Day, All, merge: false))),
        new("MeasureBucketSql/RollUp.compress.day-to-month", c => Statements(MeasureBucketSql.RollUp(c.Sql(), BucketSize.Day, BucketSize.Month, All, merge: false))),
        new("MeasureSessionSql/Upsert", c => MeasureSessionSql.Upsert(c.Sql(), All)),
        new("MeasureSessionSql/Upsert.limited", c => MeasureSessionSql.Upsert(c.Sql(), Limited)),
        new("MeasureTotalsSql/Recompute", c => Statements(MeasureTotalsSql.Recompute(c.Sql(), All))),
        new("MeasureTotalsSql/Recompute.limited", c => Statements(MeasureTotalsSql.Recompute(c.Sql(), Limited))),
        new("MeasureTotalsSql/MarkRange", c => c.Sql().MirrorDeletions ? MeasureTotalsSql.MarkRange(c.Sql(), All) : null),
        new("MeasureTotalsSql/MarkRange.limited", c => c.Sql().MirrorDeletions ? MeasureTotalsSql.MarkRange(c.Sql(), Limited) : null),
        new("MeasureTotalsSql/Build", c => MeasureTotalsSql.Build(c.Sql())),
        new("MeasureTotalsSql/RemoveOrphans", c => MeasureTotalsSql.RemoveOrphans(c.Sql())),
        new("MeasureTotalsSql/Repair", c => Statements(MeasureTotalsSql.Repair(c.Sql()))),
        new("MeasureTotalsSql/Mismatches", c => MeasureTotalsSql.Mismatches(c.Sql())),
        new("MeasureBuildSql/Buckets.count", c => MeasureBuildSql.Buckets(c.Sql(), c.Sql().Measures[0])),
        new("MeasureBuildSql/Buckets.sum", c => MeasureBuildSql.Buckets(c.Sql(), c.Sql().Measures[1])),
        new("MeasureBuildSql/Sessions.count", c => MeasureBuildSql.Sessions(c.Sql(), c.Sql().Measures[0])),
        new("MeasureBuildSql/Sessions.sum", c => MeasureBuildSql.Sessions(c.Sql(), c.Sql().Measures[1])),
        new("MeasureBuildSql/EarliestRow", c => MeasureBuildSql.EarliestRow(c.Sql(), All)),
        new("MeasureBuildSql/EarliestRow.limited", c => MeasureBuildSql.EarliestRow(c.Sql(), Limited)),
        new("MeasureRegistrySql/Registered", c => MeasureRegistrySql.Registered(c.Sql())),
        new("MeasureRegistrySql/Forget", c => Statements(MeasureRegistrySql.Forget(c.Sql()))),
        new("MeasureRegistrySql/Register", c => MeasureRegistrySql.Register(c.Sql())),
        new("MeasureRegistrySql/ForgetAll", c => MeasureRegistrySql.ForgetAll(c.Sql(), GoldenSqlConfiguration.CacheName)),
        new("HealthSql/UnbuiltMeasures", c => HealthSql.UnbuiltMeasures(c.Sql())),

        // Reads: totals (cached, real-time tail, live), the first-build gate, status.
        new("TotalsReadSql/Cached", c => TotalsReadSql.Cached(c.Sql())),
        new("TotalsReadSql/RealTime", c => TotalsReadSql.RealTime(c.Sql())),
        new("ReadSql/SessionTotals", c => ReadSql.SessionTotals(c.Sql())),
        new("TailReadSql/ExperimentTotals", c => TailReadSql.ExperimentTotals(c.Sql())),
        new("TailReadSql/SessionTotals", c => TailReadSql.SessionTotals(c.Sql())),
        new("ReadSql/Live.ExperimentTotals", c => ReadSql.Live(TailReadSql.ExperimentTotals(c.Sql()))),
        new("ReadSql/Live.SessionTotals", c => ReadSql.Live(TailReadSql.SessionTotals(c.Sql()))),
        // The gate TotalsReader and SeriesReader batch before a cached or real-time read.
        new("ReadSql/Built.buckets", c => "SELECT " + ReadSql.Built(c.Sql(), c.Sql().Buckets)),
        new("ReadSql/Gate.totals", c => "SELECT " + ReadSql.Gate(c.Sql(), c.Sql().Totals)),
        new("ReadSql/Built.session-statistics", c => "SELECT " + ReadSql.Built(c.Sql(), c.Sql().SessionStatistics)),
        new("ReadSql/ExperimentBuckets", c => ReadSql.ExperimentBuckets(c.Sql())),
        new("ReadSql/BucketCounts", c => ReadSql.BucketCounts(c.Sql())),
        new("ReadSql/RecentRuns", c => ReadSql.RecentRuns(c.Sql())),

        // Reads: series.
        new("SeriesSql/ExperimentSeries.hour", c => SeriesSql.ExperimentSeries(c.Sql(), BucketSize.Hour)),
        new("SeriesSql/ExperimentSeries.day", c => SeriesSql.ExperimentSeries(c.Sql(), BucketSize.Day)),
        new("SeriesSql/ExperimentSeries.month", c => SeriesSql.ExperimentSeries(c.Sql(), BucketSize.Month)),
        new("LiveSeriesSql/ExperimentSeriesUntilBuilt.hour", c => LiveSeriesSql.ExperimentSeriesUntilBuilt(c.Sql(), BucketSize.Hour)),
        new("LiveSeriesSql/ExperimentSeriesUntilBuilt.day", c => LiveSeriesSql.ExperimentSeriesUntilBuilt(c.Sql(), BucketSize.Day)),
        new("LiveSeriesSql/ExperimentSeriesUntilBuilt.month", c => LiveSeriesSql.ExperimentSeriesUntilBuilt(c.Sql(), BucketSize.Month)),
        new("SeriesSql/SessionSeries.hour", c => SeriesSql.SessionSeries(c.Sql(), BucketSize.Hour)),
        new("SeriesSql/SessionSeries.day", c => SeriesSql.SessionSeries(c.Sql(), BucketSize.Day)),
        new("SeriesSql/SessionSeries.month", c => SeriesSql.SessionSeries(c.Sql(), BucketSize.Month)),

        // Health check.
        new("HealthSql/MissingTables", _ => HealthSql.MissingTables),
        new("HealthSql/LatestRuns", c => HealthSql.LatestRuns(c.Sql())),
        new("HealthSql/EmptyTables", c => HealthSql.EmptyTables(c.Sql())),

        // Our tables: the DDL of GetTablesScript() (what a migration of UseStatisticsCache("stats") creates).
        new("Storage/CacheTablesScript", c => CacheTablesScript.Generate(c.Options().Schema, c.ResolvedKeys())),

        // Change tracking: install (one per tracked table; deletions recorded only when mirrored), verify, apply.
        new("ChangeTrackingSql/Install.sessions", c => Install(c, SourceRole.Sessions)),
        new("ChangeTrackingSql/Install.human-messages", c => Install(c, SourceRole.HumanMessages)),
        new("ChangeTrackingSql/Install.versions", c => Install(c, SourceRole.Versions)),
        new("ChangeTrackingSql/Uninstall", c => ChangeTrackingSql.Uninstall(c.Sql(), GoldenSqlConfiguration.CacheName)),
        new("ChangeTrackingSql/Verify", c => ChangeTrackingSql.Verify(c.Sql(), c.TrackedTables(), GoldenSqlConfiguration.CacheName, c.Deletions == GoldenDeletions.Mirror)),
        new("ChangeTrackingSql/FirstFailure", c => ChangeTrackingSql.FirstFailure(c.Sql())),
        new("ChangeTrackingSql/ForgetCovered", c => ChangeTrackingSql.ForgetCovered(c.Sql())),
        new("ChangeTrackingSql/Pending", c => ChangeTrackingSql.Pending(c.Sql())),
        new("ChangeTrackingSql/MaxId", c => ChangeTrackingSql.MaxId(c.Sql())),
        new("DistributedTables/Query", c => DistributedTables.Query(c.TrackedTables())),
        new("DistributedTables/Guard", c => DistributedTables.Guard(c.TrackedTables())),
        new("ChangeTrackingSql/Consume", c => ChangeTrackingSql.Consume(c.Sql())),

        // Measures: reads — the host-declared measures' statement batched with each built-in read (per read mode), and the series'.
        new("MeasureReadSql/ExperimentTotals.cached", c => MeasureReadSql.ExperimentTotals(c.Sql(), ReadMode.Cached)),
        new("MeasureReadSql/ExperimentTotals.real-time", c => MeasureReadSql.ExperimentTotals(c.Sql(), ReadMode.RealTime)),
        new("MeasureReadSql/ExperimentTotals.live", c => MeasureReadSql.ExperimentTotals(c.Sql(), ReadMode.Live)),
        new("MeasureReadSql/SessionTotals.cached", c => MeasureReadSql.SessionTotals(c.Sql(), ReadMode.Cached)),
        new("MeasureReadSql/SessionTotals.real-time", c => MeasureReadSql.SessionTotals(c.Sql(), ReadMode.RealTime)),
        new("MeasureReadSql/SessionTotals.live", c => MeasureReadSql.SessionTotals(c.Sql(), ReadMode.Live)),
        new("MeasureSeriesSql/ExperimentSeries.hour", c => MeasureSeriesSql.ExperimentSeries(c.Sql(), BucketSize.Hour)),
        new("MeasureSeriesSql/ExperimentSeries.day", c => MeasureSeriesSql.ExperimentSeries(c.Sql(), BucketSize.Day)),
        new("MeasureSeriesSql/ExperimentSeries.month", c => MeasureSeriesSql.ExperimentSeries(c.Sql(), BucketSize.Month)),
        new("MeasureSeriesSql/SessionSeries.hour", c => MeasureSeriesSql.SessionSeries(c.Sql(), BucketSize.Hour)),
        new("MeasureSeriesSql/SessionSeries.day", c => MeasureSeriesSql.SessionSeries(c.Sql(), BucketSize.Day)),
        new("MeasureSeriesSql/SessionSeries.month", c => MeasureSeriesSql.SessionSeries(c.Sql(), BucketSize.Month)),
    ];

    private static string? Install(GoldenSqlConfiguration c, SourceRole role) =>
        c.Tracked(role) is { } table ? ChangeTrackingSql.Install(c.Sql(), table, GoldenSqlConfiguration.CacheName, recordDeletions: c.Deletions == GoldenDeletions.Mirror) : null;
}
