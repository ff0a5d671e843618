namespace StatsCache.Sql;

/// <summary>Rolls finer buckets up into coarser ones: compression, and normalising a range before a backfill.</summary>
internal static class RollUpSql
{
    /// <summary>
    /// Two statements, run in this order in one transaction, hence atomic: the first adds the sums of
    /// the buckets of <paramref name="from"/> size starting in [@rollup_from, @rollup_to) into buckets
    /// of <paramref name="to"/> size, the second deletes those finer buckets. A reader sees either the
    /// fine buckets or the coarse one, never both or neither, and every total is unchanged (sums of
    /// sums, max of maxes), so the totals rows are too. Two statements rather than one with a
    /// DELETE … RETURNING in a CTE: Citus runs a data-modifying CTE through the coordinator (and cannot
    /// plan it with parameters at all), while each of these runs shard by shard (the bucket rows of a
    /// team stay on its shard).
    /// <paramref name="merge"/> false (compression): a plain INSERT, no ON CONFLICT — the coarse buckets cannot
    /// exist yet, since cut-offs only move forward over whole days and months and nothing finer is ever written
    /// before them; were one there, the statement would fail (and roll back) rather than double count.
    /// </summary>
    public static IReadOnlyList<string> RollUp(CacheSql sql, BucketSize from, BucketSize to, bool limited, bool merge = true) =>
    [
        $"""
        INSERT INTO {sql.Buckets} AS b
            (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
        SELECT m.team_id, m.experiment_id, {(short)to}, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}),
               sum(m.session_count), sum(m.new_participant_count), sum(m.human_message_count), max(m.last_activity), @now
        FROM {sql.Buckets} AS m
        WHERE {Rolled("m", from, limited)}
        GROUP BY m.team_id, m.experiment_id, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}){(merge ? Merge : "")}
        """,
        $"DELETE FROM {sql.Buckets} AS b WHERE {Rolled("b", from, limited)}",
    ];

    private const string Merge = """

        ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
            session_count = b.session_count + excluded.session_count,
            new_participant_count = b.new_participant_count + excluded.new_participant_count,
            human_message_count = b.human_message_count + excluded.human_message_count,
            last_activity = GREATEST(b.last_activity, excluded.last_activity),
            updated_at = excluded.updated_at
        """;

    private static string Rolled(string alias, BucketSize from, bool limited) =>
        $"{alias}.bucket_size = {(short)from} AND {alias}.bucket_start >= @rollup_from AND {alias}.bucket_start < @rollup_to{CacheSql.ExperimentFilter(alias, limited)}";
}
