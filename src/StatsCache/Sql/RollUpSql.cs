using StatsCache.Policy;

namespace StatsCache.Sql;

/// <summary>Rolls finer buckets up into coarser ones: compression, and normalising a range before a backfill.</summary>
internal static class RollUpSql
{
    /// <summary>
    /// One statement, hence atomic: deletes the buckets of <paramref name="from"/> size starting in
    /// [@rollup_from, @rollup_to) and adds their sums into buckets of <paramref name="to"/> size.
    /// A reader sees either the fine buckets or the coarse one, never both or neither, and every
    /// total is unchanged (sums of sums, max of maxes), so the totals rows are too.
    /// <paramref name="merge"/> false (compression): a plain INSERT, no ON CONFLICT — the coarse buckets cannot
    /// exist yet, since cut-offs only move forward over whole days and months and nothing finer is ever written
    /// before them; were one there, the statement would fail (and roll back) rather than double count.
    /// </summary>
    public static string RollUp(CacheSql sql, BucketSize from, BucketSize to, bool limited, bool merge = true) => $"""
        WITH moved AS (
            DELETE FROM {sql.Buckets} AS b
            WHERE b.bucket_size = {(short)from} AND b.bucket_start >= @rollup_from AND b.bucket_start < @rollup_to{CacheSql.ExperimentFilter("b", limited)}
            RETURNING b.team_id, b.experiment_id, b.bucket_start, b.session_count, b.new_participant_count, b.human_message_count, b.last_activity
        )
        INSERT INTO {sql.Buckets} AS b
            (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
        SELECT m.team_id, m.experiment_id, {(short)to}, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}),
               sum(m.session_count), sum(m.new_participant_count), sum(m.human_message_count), max(m.last_activity), @now
        FROM moved AS m
        GROUP BY m.team_id, m.experiment_id, date_trunc('{BucketCalendar.SqlUnit(to)}', m.bucket_start, {sql.ZoneFor(to)}){(merge ? Merge : "")}
        """;

    private const string Merge = """

        ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
            session_count = b.session_count + excluded.session_count,
            new_participant_count = b.new_participant_count + excluded.new_participant_count,
            human_message_count = b.human_message_count + excluded.human_message_count,
            last_activity = GREATEST(b.last_activity, excluded.last_activity),
            updated_at = excluded.updated_at
        """;
}
