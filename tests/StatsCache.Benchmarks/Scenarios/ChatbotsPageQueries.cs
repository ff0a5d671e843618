using Microsoft.EntityFrameworkCore;
using StatsCache.Benchmarks.Host;
using StatsCache.Storage;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>One row of the chatbots page.</summary>
public sealed record ChatbotRow(long Id, string Name, long Sessions, long Participants, long HumanMessages, DateTime? LastActivity);

/// <summary>
/// The chatbots page, every way it is measured: the team's experiments with their four statistics,
/// 25 rows sorted by last activity (newest first, never-active last, id as tie-break).
/// </summary>
internal static class ChatbotsPageQueries
{
    public const int PageSize = 25;

    /// <summary>
    /// How a host pages its own entity query by a cached statistic: its experiments LEFT JOIN the
    /// library's <see cref="ExperimentStatistics"/> (the per-experiment totals rows),
    /// one LINQ query, sorted and paged by the database.
    /// </summary>
    public static Task<List<ChatbotRow>> StatsCacheAsync(BenchDbContext db, long team, CancellationToken ct) => Query(db, team).ToListAsync(ct);

    /// <summary>The same LINQ query compiled once with <c>EF.CompileAsyncQuery</c>: what a host can do to skip EF Core's per-call query-cache lookup.</summary>
    public static Task<List<ChatbotRow>> CompiledAsync(BenchDbContext db, long team, CancellationToken ct) => DrainAsync(Compiled(db, team), ct);

    /// <summary>
    /// <see cref="CompiledAsync"/> for contexts of the pool (<c>AddDbContextPool</c>): a compiled query is bound to the model
    /// of the first context it runs on, and the pool's contexts have their own.
    /// </summary>
    public static Task<List<ChatbotRow>> CompiledPooledAsync(BenchDbContext db, long team, CancellationToken ct) => DrainAsync(CompiledForPool(db, team), ct);

    private static async Task<List<ChatbotRow>> DrainAsync(IAsyncEnumerable<ChatbotRow> query, CancellationToken ct)
    {
        var rows = new List<ChatbotRow>(PageSize);
        await foreach (var row in query.WithCancellation(ct))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static readonly Func<BenchDbContext, long, IAsyncEnumerable<ChatbotRow>> Compiled = Compile();

    private static readonly Func<BenchDbContext, long, IAsyncEnumerable<ChatbotRow>> CompiledForPool = Compile();

    private static Func<BenchDbContext, long, IAsyncEnumerable<ChatbotRow>> Compile() => EF.CompileAsyncQuery((BenchDbContext db, long team) =>
        (from e in db.Experiments.AsNoTracking()
         where e.TeamId == team
         join s in db.Set<ExperimentStatistics>().AsNoTracking() on new { e.TeamId, ExperimentId = e.Id } equals new { s.TeamId, s.ExperimentId } into stats
         from s in stats.DefaultIfEmpty()
         orderby s == null ? DateTime.MinValue : s.LastActivityOrMinValue descending, e.Id
         select new ChatbotRow(
             e.Id,
             e.Name,
             s == null ? 0 : s.SessionCount,
             s == null ? 0 : s.ParticipantCount,
             s == null ? 0 : s.HumanMessageCount,
             s == null ? null : s.LastActivity))
        .Take(PageSize));

    /// <summary>The page as raw SQL over the totals table (Npgsql, no EF Core): EF Core's overhead is the difference.</summary>
    public const string RawTotalsSql = $"""
        SELECT e.id, e.name, coalesce(t.session_count, 0), coalesce(t.participant_count, 0), coalesce(t.human_message_count, 0), t.last_activity
        FROM experiments AS e
        LEFT JOIN {CacheTableNames.ExperimentTotals} AS t ON t.team_id = e.team_id AND t.experiment_id = e.id
        WHERE e.team_id = @team
        ORDER BY t.last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>The SQL EF Core sends for <see cref="StatsCacheAsync"/>, for the report.</summary>
    public static string ToQueryString(BenchDbContext db, long team) => Query(db, team).ToQueryString();

    private static IQueryable<ChatbotRow> Query(BenchDbContext db, long team) =>
        (from e in db.Experiments.AsNoTracking()
         where e.TeamId == team
         join s in db.Set<ExperimentStatistics>().AsNoTracking() on new { e.TeamId, ExperimentId = e.Id } equals new { s.TeamId, s.ExperimentId } into stats
         from s in stats.DefaultIfEmpty()
         // LastActivityOrMinValue: EF Core cannot say NULLS LAST; never-active experiments sort last.
         orderby s == null ? DateTime.MinValue : s.LastActivityOrMinValue descending, e.Id
         select new ChatbotRow(
             e.Id,
             e.Name,
             s == null ? 0 : s.SessionCount,
             s == null ? 0 : s.ParticipantCount,
             s == null ? 0 : s.HumanMessageCount,
             s == null ? null : s.LastActivity))
        .Take(PageSize);

    /// <summary>The best hand-written query over the same buckets: the bound the LINQ version is held to (within 1.5×).</summary>
    public const string HandWrittenBucketSql = $"""
        SELECT e.id, e.name, coalesce(t.sessions, 0), coalesce(t.participants, 0), coalesce(t.human_messages, 0), t.last_activity
        FROM experiments AS e
        LEFT JOIN (
            SELECT b.experiment_id,
                   sum(b.session_count)::bigint AS sessions, sum(b.new_participant_count)::bigint AS participants,
                   sum(b.human_message_count)::bigint AS human_messages, max(b.last_activity) AS last_activity
            FROM {CacheTableNames.ExperimentBuckets} AS b
            WHERE b.team_id = @team
            GROUP BY b.experiment_id
        ) AS t ON t.experiment_id = e.id
        WHERE e.team_id = @team
        ORDER BY t.last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>
    /// What a dashboard runs today: correlated sub-queries per experiment, messages reached through
    /// their sessions as in Open Chat Studio (chat → session → experiment). To sort by last activity
    /// every experiment of the team is computed.
    /// </summary>
    public const string LiveSql = """
        SELECT e.id, e.name,
               (SELECT count(*) FROM chat_sessions AS s WHERE s.experiment_id = e.id) AS sessions,
               (SELECT count(DISTINCT s.participant_id) FROM chat_sessions AS s WHERE s.experiment_id = e.id) AS participants,
               (SELECT count(*) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id
                WHERE s.experiment_id = e.id AND m.is_human) AS human_messages,
               (SELECT max(m.created_at) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id
                WHERE s.experiment_id = e.id AND m.is_human) AS last_activity
        FROM experiments AS e
        WHERE e.team_id = @team
        ORDER BY last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>The same page from a materialized view of per-experiment totals (as fresh as its last full refresh).</summary>
    public const string MaterializedViewSql = """
        SELECT e.id, e.name, coalesce(v.sessions, 0), coalesce(v.participants, 0), coalesce(v.human_messages, 0), v.last_activity
        FROM experiments AS e
        LEFT JOIN bench_experiment_totals AS v ON v.experiment_id = e.id
        WHERE e.team_id = @team
        ORDER BY v.last_activity DESC NULLS LAST, e.id
        LIMIT 25
        """;

    /// <summary>A page sorted by something the host owns (name): ids from the host's table, then one batch-totals call.</summary>
    public const string PageIdsByNameSql = "SELECT id FROM experiments WHERE team_id = @team ORDER BY name, id LIMIT 25";
}
