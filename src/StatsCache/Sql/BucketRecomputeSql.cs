namespace StatsCache.Sql;

/// <summary>Recomputes the experiment buckets of a range from the source, set-based.</summary>
internal static class BucketRecomputeSql
{
    /// <summary>
    /// One statement: sessions, human messages and (from the first-seen table) new participants of
    /// [@from, @to), grouped by experiment and truncated time, upserted into buckets of
    /// <paramref name="size"/>. Counts only ever grow (GREATEST): recomputing a range from a source
    /// that has since lost rows to a retention purge never lowers what was counted. The
    /// new-participant count is always exact, since it comes from our own first-seen table.
    /// With <see cref="CacheSql.MirrorDeletions"/>, the range is set to the source instead (with a
    /// data-modifying CTE: not for Citus). A list, like the other range statements, run in order.
    /// </summary>
    public static IReadOnlyList<string> Upsert(CacheSql sql, BucketSize size, bool limited)
    {
        // Mirroring deletions: the range's buckets become exactly what the source holds now, and
        // buckets of the range with nothing left in the source are removed.
        var gone = !sql.MirrorDeletions ? "" : $"""
            , gone AS (
                DELETE FROM {sql.Buckets} AS b
                WHERE b.bucket_size = {(short)size} AND b.bucket_start >= @from AND b.bucket_start < @to{CacheSql.ExperimentFilter("b", limited)}
                  AND NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.team_id = b.team_id AND f.experiment_id = b.experiment_id AND f.bucket_start = b.bucket_start)
            )
            """;
        var merge = sql.MirrorDeletions
            ? "excluded.session_count"
            : "GREATEST(b.session_count, excluded.session_count)";
        var fresh = Fresh(sql, size, limited);
        return [$"""
            {(sql.MirrorDeletions ? $"WITH fresh AS {fresh}" : "")}{gone}
            INSERT INTO {sql.Buckets} AS b
                (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
            SELECT team_id, experiment_id, {(short)size}, bucket_start, session_count, new_participant_count, human_message_count, last_activity, @now
            FROM {(sql.MirrorDeletions ? "fresh" : fresh + " AS fresh")}
            ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
                session_count = {merge},
                new_participant_count = excluded.new_participant_count,
                human_message_count = {merge.Replace("session_count", "human_message_count", StringComparison.Ordinal)},
                last_activity = {(sql.MirrorDeletions ? "excluded.last_activity" : "GREATEST(b.last_activity, excluded.last_activity)")},
                updated_at = excluded.updated_at
            -- A refresh re-reads its look-back every run: rows that would not change are not rewritten.
            WHERE (b.session_count, b.new_participant_count, b.human_message_count, b.last_activity)
                IS DISTINCT FROM ({merge}, excluded.new_participant_count, {merge.Replace("session_count", "human_message_count", StringComparison.Ordinal)}, {(sql.MirrorDeletions ? "excluded.last_activity" : "GREATEST(b.last_activity, excluded.last_activity)")})
            """];
    }

    /// <summary>
    /// The range's rows per bucket of <paramref name="size"/> (team_id, experiment_id, bucket_start and the four
    /// statistics), from the host's sessions and human messages and our first-seen table over [@from, @to): what
    /// <see cref="Upsert"/> merges into the buckets, and what <see cref="TotalsSql.ApplyBucketDeltas"/> compares with
    /// them just before. A sub-query in FROM, not a CTE, wherever it is read once: Citus decides whether an
    /// INSERT … SELECT can run shard by shard before it inlines CTEs, and a CTE makes it repartition the rows
    /// between workers instead.
    /// </summary>
    public static string Fresh(CacheSql sql, BucketSize size, bool limited)
    {
        var unit = BucketCalendar.SqlUnit(size);
        return $"""
            (
                SELECT team_id, experiment_id, bucket_start,
                       sum(session_count) AS session_count,
                       sum(new_participant_count) AS new_participant_count,
                       sum(human_message_count) AS human_message_count,
                       max(last_activity) AS last_activity
                FROM (
                    SELECT s.team_id, s.experiment_id, date_trunc('{unit}', s.created_at, {sql.ZoneFor(size)}) AS bucket_start,
                           count(*) AS session_count, 0 AS new_participant_count, 0 AS human_message_count, NULL::timestamptz AS last_activity
                    FROM {sql.Sessions} AS s
                    WHERE s.created_at >= @from AND s.created_at < @to{CacheSql.ExperimentFilter("s", limited)}
                    GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT m.team_id, m.experiment_id, date_trunc('{unit}', m.created_at, {sql.ZoneFor(size)}),
                           0, 0, count(*), max(m.created_at)
                    FROM {sql.HumanMessages} AS m
                    WHERE m.created_at >= @from AND m.created_at < @to{CacheSql.ExperimentFilter("m", limited)}
                    GROUP BY 1, 2, 3
                    UNION ALL
                    SELECT f.team_id, f.experiment_id, date_trunc('{unit}', f.first_seen_at, {sql.ZoneFor(size)}),
                           0, count(*), 0, NULL
                    FROM {sql.FirstSeen} AS f
                    WHERE f.first_seen_at >= @from AND f.first_seen_at < @to{CacheSql.ExperimentFilter("f", limited)}
                    GROUP BY 1, 2, 3
                ) AS parts
                GROUP BY team_id, experiment_id, bucket_start
            )
            """;
    }
}
