namespace StatsCache.Sql;

/// <summary>
/// The host-declared measures' buckets (<see cref="CacheSql.MeasureBuckets"/>): a range's recompute from the measures'
/// sources and the roll-up of finer buckets into coarser ones. The counterparts of <see cref="BucketRecomputeSql"/> and
/// <see cref="RollUpSql"/>, sent in the same transactions, with the same boundaries (<c>date_trunc(unit, created_at, zone)</c>)
/// and the same sizes. Only built when <see cref="CacheSql.Measures"/> is not empty.
/// </summary>
internal static class MeasureBucketSql
{
    /// <summary>
    /// One statement over [@from, @to) for buckets of <paramref name="size"/>: every declared measure's source rows of the
    /// range, grouped by team, experiment and truncated time (one UNION ALL branch per measure, each naming its measure as a
    /// literal), upserted into the measure buckets. Keeping history, a bucket only grows (GREATEST), as the built-in counts:
    /// a purged source row does not lower what was counted. Mirroring deletions, the range's buckets of the declared
    /// measures are set to what the sources hold now, and those with nothing left are deleted (a data-modifying CTE, as
    /// <see cref="BucketRecomputeSql.Upsert"/> does when mirroring). Rows that would not change are not rewritten, so
    /// <c>updated_at = @now</c> marks exactly the buckets this range changed (<see cref="MeasureTotalsSql.Recompute"/>).
    /// </summary>
    public static string Upsert(CacheSql sql, BucketSize size, bool limited)
    {
        var fresh = Fresh(sql, size, limited);
        if (!sql.MirrorDeletions)
        {
            return $"""
                INSERT INTO {sql.MeasureBuckets} AS b (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
                SELECT f.team_id, f.experiment_id, f.measure, {(short)size}, f.bucket_start, f.value, @now
                FROM {fresh} AS f
                ON CONFLICT (team_id, experiment_id, measure, bucket_start, bucket_size) DO UPDATE SET
                    value = GREATEST(b.value, excluded.value),
                    updated_at = excluded.updated_at
                -- A refresh re-reads its look-back every run: buckets that would not change are not rewritten.
                WHERE b.value < excluded.value
                """;
        }

        return $"""
            WITH fresh AS {fresh}, gone AS (
                DELETE FROM {sql.MeasureBuckets} AS b
                WHERE b.bucket_size = {(short)size} AND b.bucket_start >= @from AND b.bucket_start < @to
                  AND b.measure IN ({Names(sql)}){CacheSql.ExperimentFilter("b", limited)}
                  AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.team_id = b.team_id AND f.experiment_id = b.experiment_id AND f.measure = b.measure AND f.bucket_start = b.bucket_start)
            )
            INSERT INTO {sql.MeasureBuckets} AS b (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
            SELECT f.team_id, f.experiment_id, f.measure, {(short)size}, f.bucket_start, f.value, @now
            FROM fresh AS f
            ON CONFLICT (team_id, experiment_id, measure, bucket_start, bucket_size) DO UPDATE SET
                value = excluded.value,
                updated_at = excluded.updated_at
            WHERE b.value <> excluded.value
            """;
    }

    /// <summary>
    /// The range's rows per measure and bucket of <paramref name="size"/> (team_id, experiment_id, measure, bucket_start,
    /// value) over [@from, @to): one grouped branch per measure, a sub-query in FROM where it is read once.
    /// </summary>
    public static string Fresh(CacheSql sql, BucketSize size, bool limited)
    {
        var unit = BucketCalendar.SqlUnit(size);
        var branches = sql.Measures.Select(m => $"""
                SELECT x.team_id, x.experiment_id, {m.Literal}::varchar(63) AS measure, date_trunc('{unit}', x.created_at, {sql.ZoneFor(size)}) AS bucket_start,
                       {m.Aggregated("x")} AS value
                FROM {m.Source} AS x
                WHERE x.created_at >= @from AND x.created_at < @to{CacheSql.ExperimentFilter("x", limited)}
                GROUP BY 1, 2, 4
            """);
        return $"""
            (
            {string.Join("\n    UNION ALL\n", branches)}
            )
            """;
    }

    /// <summary>
    /// Two statements, in this order, in one transaction: the measure buckets of <paramref name="from"/> size starting in
    /// [@rollup_from, @rollup_to) summed into buckets of <paramref name="to"/> size, then those finer buckets deleted — as
    /// <see cref="RollUpSql.RollUp"/> does for the built-in buckets (every measure total is a sum of sums, hence unchanged).
    /// <paramref name="merge"/> false (compression): a plain INSERT, since the coarse buckets cannot exist yet.
    /// </summary>
    public static IReadOnlyList<string> RollUp(CacheSql sql, BucketSize from, BucketSize to, bool limited, bool merge = true) =>
    [
        $"""
        INSERT INTO {sql.MeasureBuckets} AS b (team_id, experiment_id, measure, bucket_size, bucket_start, value, updated_at)
        SELECT m.team_id, m.experiment_id, m.measure, {(short)to}, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}),
               sum(m.value)::bigint, @now
        FROM {sql.MeasureBuckets} AS m
        WHERE {Rolled("m", from, limited)}
        GROUP BY m.team_id, m.experiment_id, m.measure, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}){(merge ? Merge : "")}
        """,
        $"DELETE FROM {sql.MeasureBuckets} AS b WHERE {Rolled("b", from, limited)}",
    ];

    /// <summary>The declared measures' names as a SQL list of literals (<c>'a', 'b'</c>).</summary>
    public static string Names(CacheSql sql) => string.Join(", ", sql.Measures.Select(m => m.Literal));

    private const string Merge = """

        ON CONFLICT (team_id, experiment_id, measure, bucket_start, bucket_size) DO UPDATE SET
            value = b.value + excluded.value,
            updated_at = excluded.updated_at
        """;

    private static string Rolled(string alias, BucketSize from, bool limited) =>
        $"{alias}.bucket_size = {(short)from} AND {alias}.bucket_start >= @rollup_from AND {alias}.bucket_start < @rollup_to{CacheSql.ExperimentFilter(alias, limited)}";
}
