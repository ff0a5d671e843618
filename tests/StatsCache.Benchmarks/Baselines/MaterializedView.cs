using Npgsql;
using StatsCache.Benchmarks.Infrastructure;

namespace StatsCache.Benchmarks.Baselines;

/// <summary>
/// The obvious PostgreSQL alternative: a materialized view of the per-experiment totals the page
/// shows (exact, distinct participants included), refreshed in full — the only refresh a
/// materialized view has; CONCURRENTLY recomputes just as much and diffs on top.
/// </summary>
internal static class MaterializedView
{
    private const string Create = """
        CREATE MATERIALIZED VIEW IF NOT EXISTS bench_experiment_totals AS
        SELECT s.team_id, s.experiment_id, s.sessions, s.participants,
               coalesce(m.human_messages, 0) AS human_messages, m.last_activity
        FROM (SELECT team_id, experiment_id, count(*) AS sessions, count(DISTINCT participant_id) AS participants
              FROM chat_sessions GROUP BY team_id, experiment_id) AS s
        LEFT JOIN (SELECT experiment_id, count(*) AS human_messages, max(created_at) AS last_activity
                   FROM chat_messages WHERE is_human GROUP BY experiment_id) AS m ON m.experiment_id = s.experiment_id
        WITH NO DATA;
        CREATE UNIQUE INDEX IF NOT EXISTS ix_bench_experiment_totals ON bench_experiment_totals (experiment_id);
        """;

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await Db.ExecuteAsync(db, Create, ct);
        if (!await Db.ScalarAsync<bool>(db, "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'bench_experiment_totals'", ct))
        {
            await RefreshAsync(db, ct);
        }
    }

    public static Task RefreshAsync(NpgsqlDataSource db, CancellationToken ct) =>
        Db.ExecuteAsync(db, "REFRESH MATERIALIZED VIEW bench_experiment_totals", ct);
}
