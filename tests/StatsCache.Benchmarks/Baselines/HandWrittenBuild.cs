using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Baselines;

/// <summary>
/// The hand-written floor of a full build: the same three tables the cache builds (experiment buckets at
/// the policy's sizes, one row per session with its versions, first visits) plus the per-experiment totals,
/// written by hand into bare copies of our tables (no index during the load), then indexed like ours.
/// The cut-offs and the watermark are the library's own from the build just before, so both produce the
/// same rows (checked: the run fails on a difference). Everything is dropped before each run (not timed).
/// </summary>
internal static class HandWrittenBuild
{
    private static readonly string[] Tables = ["bench_floor_buckets", "bench_floor_sessions", "bench_floor_first_seen", "bench_floor_totals"];

    /// <summary>Drops and recreates the bare tables (not timed).</summary>
    public static Task PrepareAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct) => Db.ExecuteAsync(db, $"""
        DROP TABLE IF EXISTS {string.Join(", ", Tables)};
        CREATE TABLE bench_floor_buckets (LIKE statscache_experiment_buckets INCLUDING DEFAULTS);
        CREATE TABLE bench_floor_sessions (LIKE statscache_session_statistics INCLUDING DEFAULTS INCLUDING GENERATED);
        CREATE TABLE bench_floor_first_seen (LIKE statscache_participant_first_seen INCLUDING DEFAULTS);
        CREATE TABLE bench_floor_totals (LIKE statscache_experiment_totals INCLUDING DEFAULTS INCLUDING GENERATED);
        """, ct);

    /// <summary>The build, one transaction: loads, then the indexes our tables have.</summary>
    public static Task RunAsync(Npgsql.NpgsqlDataSource db, DateTime to, DateTime dailyFrom, DateTime hourlyFrom, CancellationToken ct) => Db.ExecuteAsync(db, """
        BEGIN;
        SET LOCAL timezone = 'UTC';
        SET LOCAL jit = off;
        INSERT INTO bench_floor_first_seen (team_id, experiment_id, participant_id, first_seen_at)
        SELECT team_id, experiment_id, participant_id, min(created_at)
        FROM chat_sessions WHERE created_at < @to AND participant_id IS NOT NULL
        GROUP BY 1, 2, 3;

        INSERT INTO bench_floor_buckets (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
        SELECT team_id, experiment_id, size, start, sum(sessions), sum(participants), sum(messages), max(last_activity), now()
        FROM (
            SELECT team_id, experiment_id,
                   CASE WHEN created_at < @daily_from THEN 3 WHEN created_at < @hourly_from THEN 2 ELSE 1 END AS size,
                   date_trunc(CASE WHEN created_at < @daily_from THEN 'month' WHEN created_at < @hourly_from THEN 'day' ELSE 'hour' END, created_at) AS start,
                   count(*) AS sessions, 0 AS participants, 0 AS messages, NULL::timestamptz AS last_activity
            FROM chat_sessions WHERE created_at < @to GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT team_id, experiment_id,
                   CASE WHEN created_at < @daily_from THEN 3 WHEN created_at < @hourly_from THEN 2 ELSE 1 END,
                   date_trunc(CASE WHEN created_at < @daily_from THEN 'month' WHEN created_at < @hourly_from THEN 'day' ELSE 'hour' END, created_at),
                   0, 0, count(*), max(created_at)
            FROM chat_messages WHERE is_human AND created_at < @to GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT team_id, experiment_id,
                   CASE WHEN first_seen_at < @daily_from THEN 3 WHEN first_seen_at < @hourly_from THEN 2 ELSE 1 END,
                   date_trunc(CASE WHEN first_seen_at < @daily_from THEN 'month' WHEN first_seen_at < @hourly_from THEN 'day' ELSE 'hour' END, first_seen_at),
                   0, count(*), 0, NULL
            FROM bench_floor_first_seen GROUP BY 1, 2, 3, 4
        ) AS parts
        GROUP BY 1, 2, 3, 4;

        INSERT INTO bench_floor_sessions (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
        SELECT s.team_id, s.experiment_id, s.id, coalesce(m.messages, 0), m.last_activity, coalesce(v.versions, '{}'), now()
        FROM chat_sessions AS s
        LEFT JOIN (SELECT session_id, count(*) AS messages, max(created_at) AS last_activity
                   FROM chat_messages WHERE is_human AND created_at < @to GROUP BY 1) AS m ON m.session_id = s.id
        LEFT JOIN (SELECT session_id, array_agg(DISTINCT version::text COLLATE "C" ORDER BY version::text COLLATE "C") AS versions
                   FROM message_versions WHERE created_at < @to GROUP BY 1) AS v ON v.session_id = s.id
        WHERE s.created_at < @to;

        INSERT INTO bench_floor_totals (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT team_id, experiment_id, sum(session_count), sum(new_participant_count), sum(human_message_count), max(last_activity), now()
        FROM bench_floor_buckets GROUP BY 1, 2;

        ALTER TABLE bench_floor_first_seen ADD PRIMARY KEY (team_id, experiment_id, participant_id);
        CREATE INDEX ON bench_floor_first_seen (first_seen_at);
        ALTER TABLE bench_floor_buckets ADD PRIMARY KEY (team_id, experiment_id, bucket_start, bucket_size);
        CREATE INDEX ON bench_floor_buckets (team_id, experiment_id) INCLUDE (session_count, new_participant_count, human_message_count, last_activity);
        CREATE INDEX ON bench_floor_buckets (bucket_size, bucket_start);
        ALTER TABLE bench_floor_sessions ADD PRIMARY KEY (team_id, session_id);
        CREATE INDEX ON bench_floor_sessions (team_id, experiment_id, last_activity_or_min DESC, session_id);
        ALTER TABLE bench_floor_totals ADD PRIMARY KEY (team_id, experiment_id);
        CREATE INDEX ON bench_floor_totals (team_id, last_activity_or_min DESC, experiment_id);
        CREATE INDEX ON bench_floor_totals (team_id, session_count, experiment_id);
        CREATE INDEX ON bench_floor_totals (team_id, participant_count, experiment_id);
        CREATE INDEX ON bench_floor_totals (team_id, human_message_count, experiment_id);
        COMMIT;
        """, ct, ("to", to), ("daily_from", dailyFrom), ("hourly_from", hourlyFrom));

    /// <summary>Rows that differ between the floor's tables and the library's (buckets, sessions, first visits, totals): 0 when both built the same.</summary>
    public const string DifferencesSql = """
        SELECT (SELECT count(*) FROM ((SELECT team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity FROM bench_floor_buckets
                                       EXCEPT SELECT team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity FROM statscache_experiment_buckets)
                                      UNION ALL
                                      (SELECT team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity FROM statscache_experiment_buckets
                                       EXCEPT SELECT team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity FROM bench_floor_buckets)) AS d)
             + (SELECT count(*) FROM ((SELECT team_id, session_id, human_message_count, last_activity, versions FROM bench_floor_sessions
                                       EXCEPT SELECT team_id, session_id, human_message_count, last_activity, versions FROM statscache_session_statistics)
                                      UNION ALL
                                      (SELECT team_id, session_id, human_message_count, last_activity, versions FROM statscache_session_statistics
                                       EXCEPT SELECT team_id, session_id, human_message_count, last_activity, versions FROM bench_floor_sessions)) AS d)
             + (SELECT count(*) FROM ((SELECT team_id, experiment_id, participant_id, first_seen_at FROM bench_floor_first_seen
                                       EXCEPT SELECT team_id, experiment_id, participant_id, first_seen_at FROM statscache_participant_first_seen)
                                      UNION ALL
                                      (SELECT team_id, experiment_id, participant_id, first_seen_at FROM statscache_participant_first_seen
                                       EXCEPT SELECT team_id, experiment_id, participant_id, first_seen_at FROM bench_floor_first_seen)) AS d)
             + (SELECT count(*) FROM ((SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity FROM bench_floor_totals
                                       EXCEPT SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity FROM statscache_experiment_totals)
                                      UNION ALL
                                      (SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity FROM statscache_experiment_totals
                                       EXCEPT SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity FROM bench_floor_totals)) AS d)
        """;

    /// <summary>Drops the floor's tables (not timed).</summary>
    public static Task DropAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct) => Db.ExecuteAsync(db, $"DROP TABLE IF EXISTS {string.Join(", ", Tables)}", ct);
}
