using StatsCache.Policy;

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
    /// </summary>
    public static string Upsert(CacheSql sql, BucketSize size, bool limited)
    {
        var unit = BucketCalendar.SqlUnit(size);
        return $"""
            WITH fresh AS (
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
            INSERT INTO {sql.Buckets} AS b
                (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
            SELECT team_id, experiment_id, {(short)size}, bucket_start, session_count, new_participant_count, human_message_count, last_activity, @now
            FROM fresh
            ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
                session_count = GREATEST(b.session_count, excluded.session_count),
                new_participant_count = excluded.new_participant_count,
                human_message_count = GREATEST(b.human_message_count, excluded.human_message_count),
                last_activity = GREATEST(b.last_activity, excluded.last_activity),
                updated_at = excluded.updated_at
            """;
    }
}
