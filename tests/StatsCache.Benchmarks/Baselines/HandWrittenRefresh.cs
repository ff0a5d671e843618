using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Baselines;

/// <summary>
/// The hand-written floor of an incremental refresh: the same window the library's refresh re-reads
/// ([watermark − look-back floored to the hour, now)), written by hand into copies of our four tables
/// (experiment buckets, one row per session, first visits, per-experiment totals) with our indexes, in one
/// transaction sent as one round trip. What a competent engineer would write for this host, without the
/// library's generality:
/// <list type="bullet">
/// <item>first visits: the window's earliest session per (experiment, participant), kept where earlier;</item>
/// <item>hourly buckets: the window re-aggregated from the source and upserted (unchanged rows not rewritten),
/// and in the same statement (a data-modifying CTE, which sees the buckets as they were before) the totals
/// moved by the difference between the window's new and old buckets — no re-sum of older buckets;</item>
/// <item>session rows: every session started, with a human message, or with a version tag in the window,
/// recounted whole through the host's (session_id, created_at) index, versions merged with the window's.</item>
/// </list>
/// It relies on the benchmark's traffic being append-only (nothing arrives late or is deleted, so no first visit
/// moves to an earlier bucket and no bucket shrinks), which the library cannot assume; under that traffic both
/// produce the same rows (checked after the last run: the run fails on a difference).
/// </summary>
internal static class HandWrittenRefresh
{
    private static readonly string[] Tables = ["bench_refresh_buckets", "bench_refresh_sessions", "bench_refresh_first_seen", "bench_refresh_totals"];

    /// <summary>Copies the library's four tables, with their indexes, as they are now (not timed).</summary>
    public static async Task PrepareAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct)
    {
        await Db.ExecuteAsync(db, $"""
        DROP TABLE IF EXISTS {string.Join(", ", Tables)};
        CREATE TABLE bench_refresh_buckets (LIKE statscache_experiment_buckets INCLUDING ALL);
        CREATE TABLE bench_refresh_sessions (LIKE statscache_session_statistics INCLUDING ALL);
        CREATE TABLE bench_refresh_first_seen (LIKE statscache_participant_first_seen INCLUDING ALL);
        CREATE TABLE bench_refresh_totals (LIKE statscache_experiment_totals INCLUDING ALL);
        INSERT INTO bench_refresh_buckets SELECT * FROM statscache_experiment_buckets;
        INSERT INTO bench_refresh_sessions (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
        SELECT team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at FROM statscache_session_statistics;
        INSERT INTO bench_refresh_first_seen SELECT * FROM statscache_participant_first_seen;
        INSERT INTO bench_refresh_totals (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at FROM statscache_experiment_totals;
        """, ct);
        await Db.ExecuteAsync(db, $"VACUUM (ANALYZE) {string.Join(", ", Tables)}", ct);
    }

    /// <summary>The refresh of [<paramref name="from"/>, <paramref name="to"/>), one transaction.</summary>
    public static Task RunAsync(Npgsql.NpgsqlDataSource db, DateTime from, DateTime to, CancellationToken ct) => Db.ExecuteAsync(db, """
        BEGIN;
        SET LOCAL timezone = 'UTC';
        SET LOCAL jit = off;
        INSERT INTO bench_refresh_first_seen AS f (team_id, experiment_id, participant_id, first_seen_at)
        SELECT team_id, experiment_id, participant_id, min(created_at)
        FROM chat_sessions WHERE created_at >= @from AND created_at < @to AND participant_id IS NOT NULL
        GROUP BY 1, 2, 3
        ON CONFLICT (team_id, experiment_id, participant_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
        WHERE excluded.first_seen_at < f.first_seen_at;

        WITH fresh AS (
            SELECT team_id, experiment_id, start, sum(sessions) AS sessions, sum(participants) AS participants,
                   sum(messages) AS messages, max(last_activity) AS last_activity
            FROM (
                SELECT team_id, experiment_id, date_trunc('hour', created_at) AS start,
                       count(*) AS sessions, 0 AS participants, 0 AS messages, NULL::timestamptz AS last_activity
                FROM chat_sessions WHERE created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
                UNION ALL
                SELECT team_id, experiment_id, date_trunc('hour', created_at), 0, 0, count(*), max(created_at)
                FROM chat_messages WHERE is_human AND created_at >= @from AND created_at < @to GROUP BY 1, 2, 3
                UNION ALL
                SELECT team_id, experiment_id, date_trunc('hour', first_seen_at), 0, count(*), 0, NULL
                FROM bench_refresh_first_seen WHERE first_seen_at >= @from AND first_seen_at < @to GROUP BY 1, 2, 3
            ) AS parts
            GROUP BY 1, 2, 3
        ), old AS (
            SELECT team_id, experiment_id, bucket_start AS start, session_count, new_participant_count, human_message_count
            FROM bench_refresh_buckets
            WHERE bucket_size = 1 AND bucket_start >= @from AND bucket_start < @to
        ), written AS (
            INSERT INTO bench_refresh_buckets AS b (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
            SELECT team_id, experiment_id, 1, start, sessions, participants, messages, last_activity, now() FROM fresh
            ON CONFLICT (team_id, experiment_id, bucket_start, bucket_size) DO UPDATE SET
                session_count = excluded.session_count, new_participant_count = excluded.new_participant_count,
                human_message_count = excluded.human_message_count, last_activity = excluded.last_activity, updated_at = excluded.updated_at
            WHERE (b.session_count, b.new_participant_count, b.human_message_count, b.last_activity)
                IS DISTINCT FROM (excluded.session_count, excluded.new_participant_count, excluded.human_message_count, excluded.last_activity)
        )
        INSERT INTO bench_refresh_totals AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT f.team_id, f.experiment_id, sum(f.sessions - coalesce(o.session_count, 0)), sum(f.participants - coalesce(o.new_participant_count, 0)),
               sum(f.messages - coalesce(o.human_message_count, 0)), max(f.last_activity), now()
        FROM fresh AS f
        LEFT JOIN old AS o ON o.team_id = f.team_id AND o.experiment_id = f.experiment_id AND o.start = f.start
        GROUP BY 1, 2
        ON CONFLICT (team_id, experiment_id) DO UPDATE SET
            session_count = t.session_count + excluded.session_count, participant_count = t.participant_count + excluded.participant_count,
            human_message_count = t.human_message_count + excluded.human_message_count,
            last_activity = GREATEST(t.last_activity, excluded.last_activity), updated_at = excluded.updated_at
        WHERE excluded.session_count <> 0 OR excluded.participant_count <> 0 OR excluded.human_message_count <> 0
           OR t.last_activity IS DISTINCT FROM GREATEST(t.last_activity, excluded.last_activity);

        INSERT INTO bench_refresh_sessions AS s (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
        SELECT k.team_id, k.experiment_id, k.id, m.messages, m.last_activity, coalesce(v.versions, '{}'), now()
        FROM (
            SELECT id, team_id, experiment_id FROM chat_sessions WHERE created_at >= @from AND created_at < @to
            UNION
            SELECT x.id, x.team_id, x.experiment_id
            FROM (SELECT session_id FROM chat_messages WHERE is_human AND created_at >= @from AND created_at < @to
                  UNION
                  SELECT session_id FROM message_versions WHERE created_at >= @from AND created_at < @to) AS y
            JOIN chat_sessions AS x ON x.id = y.session_id
        ) AS k
        CROSS JOIN LATERAL (
            SELECT count(*) AS messages, max(created_at) AS last_activity
            FROM chat_messages WHERE session_id = k.id AND is_human AND created_at < @to
        ) AS m
        LEFT JOIN (
            SELECT session_id, array_agg(DISTINCT version::text COLLATE "C" ORDER BY version::text COLLATE "C") AS versions
            FROM message_versions WHERE created_at >= @from AND created_at < @to GROUP BY 1
        ) AS v ON v.session_id = k.id
        ON CONFLICT (team_id, session_id) DO UPDATE SET
            experiment_id = excluded.experiment_id, human_message_count = excluded.human_message_count, last_activity = excluded.last_activity,
            versions = ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1), updated_at = excluded.updated_at
        WHERE (s.experiment_id, s.human_message_count, s.last_activity) IS DISTINCT FROM (excluded.experiment_id, excluded.human_message_count, excluded.last_activity)
           OR NOT (excluded.versions <@ s.versions);
        COMMIT;
        """, ct, ("from", from), ("to", to));

    /// <summary>Rows that differ between the floor's tables and the library's: 0 when both refreshed to the same rows.</summary>
    public static readonly string DifferencesSql = HandWrittenBuild.DifferencesSql.Replace("bench_floor_", "bench_refresh_", StringComparison.Ordinal);

    /// <summary>Drops the floor's tables (not timed).</summary>
    public static Task DropAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct) => Db.ExecuteAsync(db, $"DROP TABLE IF EXISTS {string.Join(", ", Tables)}", ct);
}
