namespace StatsCache.Sql;

/// <summary>
/// Keeps the host-declared measures' per-experiment totals (<see cref="CacheSql.MeasureTotals"/>) equal to the sums over
/// each experiment's measure buckets, in the transaction of the bucket writes they follow — the counterpart of
/// <see cref="TotalsSql"/>. Always by re-summing (never by differences): the cost of the written experiments' buckets.
/// </summary>
internal static class MeasureTotalsSql
{
    /// <summary>
    /// After a range's measure bucket writes over [@buckets_from, @to): every (team, experiment, measure) with a bucket there
    /// that this transaction wrote (<c>updated_at = @now</c>: unchanged buckets are not rewritten) — and, mirroring
    /// deletions, every totals row <see cref="MarkRange"/> marked before the writes (its buckets there may be gone) — is
    /// re-summed from all its buckets; a row left without buckets is deleted. Two statements in this order (no
    /// data-modifying CTE), each an index range scan of the bucket key per experiment.
    /// </summary>
    public static IReadOnlyList<string> Recompute(CacheSql sql, bool limited)
    {
        var marked = !sql.MirrorDeletions ? "" : $"""

                UNION
                SELECT t.team_id, t.experiment_id, t.measure FROM {sql.MeasureTotals} AS t WHERE t.updated_at = @now{CacheSql.ExperimentFilter("t", limited)}
            """;
        var scope = $"""
                SELECT DISTINCT b.team_id, b.experiment_id, b.measure
                FROM {sql.MeasureBuckets} AS b
                WHERE b.bucket_size = ANY('{"{1,2,3}"}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
                  AND b.updated_at = @now{CacheSql.ExperimentFilter("b", limited)}{marked}
            """;
        return
        [
            $"""
            DELETE FROM {sql.MeasureTotals} AS t
            WHERE (t.team_id, t.experiment_id, t.measure) IN ({scope})
              AND NOT EXISTS (SELECT 1 FROM {sql.MeasureBuckets} AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id AND b.measure = t.measure)
            """,
            Upsert(sql, $"JOIN ({scope}) AS s ON b.team_id = s.team_id AND b.experiment_id = s.experiment_id AND b.measure = s.measure", ""),
        ];
    }

    /// <summary>
    /// Mirroring deletions, before a range's measure bucket writes: marks (<c>updated_at = @now</c>) the totals rows of the
    /// (team, experiment, measure) with a bucket starting in [@buckets_from, @to), so <see cref="Recompute"/> still finds one
    /// whose buckets there all disappear.
    /// </summary>
    public static string MarkRange(CacheSql sql, bool limited) => $"""
        UPDATE {sql.MeasureTotals} AS t SET updated_at = @now
        FROM (SELECT DISTINCT b.team_id, b.experiment_id, b.measure
              FROM {sql.MeasureBuckets} AS b
              WHERE b.bucket_size = ANY('{"{1,2,3}"}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to{CacheSql.ExperimentFilter("b", limited)}) AS s
        WHERE t.team_id = s.team_id AND t.experiment_id = s.experiment_id AND t.measure = s.measure
        """;

    /// <summary>
    /// The totals of the measures named in @measures (text[]) from their buckets, as a plain INSERT: a measure just built,
    /// whose totals rows were deleted with its other rows (<see cref="MeasureRegistrySql.Forget"/>).
    /// </summary>
    public static string Build(CacheSql sql) => $"""
        INSERT INTO {sql.MeasureTotals} (team_id, experiment_id, measure, value, updated_at)
        SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint, @now
        FROM {sql.MeasureBuckets} AS b
        WHERE b.measure = ANY(@measures::text[])
        GROUP BY b.team_id, b.experiment_id, b.measure
        """;

    /// <summary>The end of a full backfill: totals rows of measures and experiments without any bucket are removed.</summary>
    public static string RemoveOrphans(CacheSql sql) => $"""
        DELETE FROM {sql.MeasureTotals} AS t
        WHERE NOT EXISTS (SELECT 1 FROM {sql.MeasureBuckets} AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id AND b.measure = t.measure)
        """;

    /// <summary>
    /// Verify's repair: every measure totals row set to the sums over its buckets, missing rows added, rows without buckets
    /// removed; two statements in one batch, whose affected rows are the rows repaired.
    /// </summary>
    public static IReadOnlyList<string> Repair(CacheSql sql) => [Upsert(sql, "", ""), RemoveOrphans(sql)];

    /// <summary>Measure totals rows that differ from the sums over their buckets (or exist without buckets, or are missing): verify's check.</summary>
    public static string Mismatches(CacheSql sql) => $"""
        SELECT count(*)
        FROM (SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint AS value
              FROM {sql.MeasureBuckets} AS b
              GROUP BY b.team_id, b.experiment_id, b.measure) AS x
        FULL JOIN {sql.MeasureTotals} AS t ON t.team_id = x.team_id AND t.experiment_id = x.experiment_id AND t.measure = x.measure
        WHERE x.value IS DISTINCT FROM t.value
        """;

    private static string Upsert(CacheSql sql, string join, string where) => $"""
        INSERT INTO {sql.MeasureTotals} AS t (team_id, experiment_id, measure, value, updated_at)
        SELECT b.team_id, b.experiment_id, b.measure, sum(b.value)::bigint, @now
        FROM {sql.MeasureBuckets} AS b {join}
        {where}
        GROUP BY b.team_id, b.experiment_id, b.measure
        ON CONFLICT (team_id, experiment_id, measure) DO UPDATE SET
            value = excluded.value,
            updated_at = excluded.updated_at
        WHERE t.value <> excluded.value
        """;
}
