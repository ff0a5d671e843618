namespace StatsCache.Sql;

/// <summary>
/// Builds one host-declared measure over the whole history before @to (the watermark), in one transaction with its
/// registration: a measure declared after the cache was built, one whose definition changed, and every measure of a bulk
/// first build. Its rows were deleted just before (<see cref="MeasureRegistrySql.Forget"/>), so these are plain INSERTs
/// with hash aggregates over the measure's source, read once per table. Bucket sizes follow the stored cut-offs
/// (@daily_from, @hourly_from) exactly as <see cref="BulkBuildSql.Buckets"/> does: months before daily_from, days before
/// hourly_from, hours after — the sizes the cache's built-in buckets have there.
/// </summary>
internal static class MeasureBuildSql
{
    /// <summary>The measure's buckets at the policy's size for each instant, over all its source rows before @to.</summary>
    public static string Buckets(CacheSql sql, HostMeasure measure)
    {
        const string At = "x.created_at";
        var size = $"CASE WHEN {At} < @daily_from THEN {(short)BucketSize.Month} WHEN {At} < @hourly_from THEN {(short)BucketSize.Day} ELSE {(short)BucketSize.Hour} END";
        var start = $"CASE WHEN {At} < @daily_from THEN date_trunc('month', {At}, {sql.ZoneFor(BucketSize.Month)}) " +
                    $"WHEN {At} < @hourly_from THEN date_trunc('day', {At}, {sql.ZoneFor(BucketSize.Day)}) ELSE date_trunc('hour', {At}, 'UTC') END";
        return $"""
            INSERT INTO {sql.MeasureBuckets} (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
            SELECT x.team_id, x.experiment_id, {measure.Literal}, {size}, {start}, {measure.Aggregated("x")}, @now
            FROM {measure.Source} AS x
            WHERE x.created_at < @to
            GROUP BY 1, 2, 4, 5
            """;
    }

    /// <summary>The measure's session rows: per (team, session) over all its source rows before @to, with the greatest experiment id and the latest time.</summary>
    public static string Sessions(CacheSql sql, HostMeasure measure) => $"""
        INSERT INTO {sql.SessionMeasures} (team_id, session_id, measure, experiment_id, value, last_at, updated_at)
        SELECT x.team_id, x.session_id, {measure.Literal}, {sql.MaxExperiment("x.experiment_id")}, {measure.Aggregated("x")}, max(x.created_at), @now
        FROM {measure.Source} AS x
        WHERE x.created_at < @to
        GROUP BY x.team_id, x.session_id
        """;

    /// <summary>
    /// The earliest row of any measure's source (of the experiments in @experiments when <paramref name="limited"/>) and,
    /// mirroring deletions, of our measure buckets: where a backfill must start so that no measure row before the
    /// built-in sources' first row is left out. One index probe per source on created_at.
    /// </summary>
    public static string EarliestRow(CacheSql sql, bool limited)
    {
        var probes = sql.Measures.Select(m => $"(SELECT min(x.created_at) FROM {m.Source} AS x WHERE true{CacheSql.ExperimentFilter("x", limited)})").ToList();
        if (sql.MirrorDeletions)
        {
            probes.Add($"(SELECT min(b.bucket_start) FROM {sql.MeasureBuckets} AS b WHERE true{CacheSql.ExperimentFilter("b", limited)})");
        }

        return $"SELECT least(\n    {string.Join(",\n    ", probes)})";
    }
}
