using Npgsql;
using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Baselines;

/// <summary>
/// The seed's refresh done the best set-based way: every run re-aggregates the last 24 hours into
/// hourly buckets (one upsert), whatever changed. New participants are counted the seed's way:
/// sessions in the hour with no earlier session of that participant with that experiment.
/// </summary>
internal static class SeedRecentReaggregation
{
    private const string Sql = $"""
        INSERT INTO {SeedBuckets.Table} AS b (experiment_id, bucket_size, bucket_start, bucket_end,
                                              session_count, new_participant_count, human_message_count, last_activity_at, updated_at)
        SELECT coalesce(s.experiment_id, m.experiment_id), 'hour', coalesce(s.hour, m.hour), coalesce(s.hour, m.hour) + interval '1 hour',
               coalesce(s.sessions, 0), coalesce(s.new_participants, 0), coalesce(m.messages, 0), m.last_activity, now()
        FROM (
            SELECT x.experiment_id, date_trunc('hour', x.created_at, 'UTC') AS hour, count(*) AS sessions,
                   count(DISTINCT x.participant_id) FILTER (WHERE NOT EXISTS (
                       SELECT 1 FROM chat_sessions AS p
                       WHERE p.experiment_id = x.experiment_id AND p.participant_id = x.participant_id AND p.created_at < x.created_at)) AS new_participants
            FROM chat_sessions AS x
            WHERE x.created_at >= @cutoff AND x.created_at < @now
            GROUP BY 1, 2
        ) AS s
        FULL JOIN (
            SELECT experiment_id, date_trunc('hour', created_at, 'UTC') AS hour, count(*) AS messages, max(created_at) AS last_activity
            FROM chat_messages
            WHERE is_human AND created_at >= @cutoff AND created_at < @now
            GROUP BY 1, 2
        ) AS m ON m.experiment_id = s.experiment_id AND m.hour = s.hour
        ON CONFLICT (experiment_id, bucket_size, bucket_start) DO UPDATE SET
            session_count = excluded.session_count, new_participant_count = excluded.new_participant_count,
            human_message_count = excluded.human_message_count, last_activity_at = excluded.last_activity_at,
            updated_at = excluded.updated_at
        """;

    public static Task<int> RunAsync(NpgsqlDataSource db, DateTime now, CancellationToken ct) =>
        Db.ExecuteAsync(db, Sql, ct, ("cutoff", now.AddHours(-24)), ("now", now));
}
