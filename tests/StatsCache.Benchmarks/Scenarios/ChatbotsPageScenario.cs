using Microsoft.EntityFrameworkCore;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>
/// The chatbots page of one team: 25 rows sorted by last activity with the four statistics.
/// StatsCache (the host's LINQ composing the cached totals, sorted by the database) against the live
/// correlated sub-queries, the best hand-written bucket query, a materialized view, and (for a page
/// sorted by a host column) page ids + <c>GetExperimentTotalsAsync</c>.
/// </summary>
internal static class ChatbotsPageScenario
{
    /// <summary>Further interleaved runs of the millisecond variants (all but the live page).</summary>
    private const int ExtraRuns = 30;

    public static async Task<List<ChatbotRow>> RunAsync(ScenarioContext context, string which, long team, CancellationToken ct)
    {
        var scenario = context.Run.Scenario(
            "chatbots-page-" + which,
            $"Chatbots page, {which} team (team {team}): 25 rows by last activity",
            "StatsCache: one EF Core LINQ query of the host — its `experiments` LEFT JOIN the library's `ExperimentStatistics` " +
            "(the per-experiment totals rows), ordered by last activity desc (never-active last), id; Take 25 — see `Scenarios/ChatbotsPageQueries.cs`. " +
            "Baselines, same run, interleaved: the live correlated sub-queries a dashboard runs today (count, count distinct participants, " +
            "count and max of human messages through the sessions, per experiment of the team); a materialized view of per-experiment totals " +
            "(fast but only as fresh as its last full refresh). Bound: the best hand-written SQL over the same buckets. " +
            "Info: a page ordered by a host column (name): ids from `experiments`, then `GetExperimentTotalsAsync` (two round trips); " +
            "the same page as raw SQL over the totals table through Npgsql (EF Core's overhead is the difference); the LINQ query compiled once with `EF.CompileAsyncQuery`, and compiled on a pooled context (`AddDbContextPool`). " +
            $"The live page runs the usual runs; every other variant {ExtraRuns} more, interleaved with each other.");
        var cache = scenario.Add("StatsCache (host LINQ over cached totals)", SeriesRole.Subject);
        var handWritten = scenario.Add("hand-written bucket SQL", SeriesRole.Bound);
        var live = scenario.Add("live correlated sub-queries", SeriesRole.Baseline);
        var view = scenario.Add("materialized view (read only)", SeriesRole.Baseline);
        var twoTrips = scenario.Add("ids by name + GetExperimentTotalsAsync", SeriesRole.Info);
        var raw = scenario.Add("raw SQL over the totals table (Npgsql, no EF)", SeriesRole.Info);
        var compiled = scenario.Add("same LINQ, EF.CompileAsyncQuery", SeriesRole.Info);
        var pooled = scenario.Add("same LINQ compiled, pooled DbContext (AddDbContextPool)", SeriesRole.Info);

        // What a host gets from AddDbContextPool: a context reset and reused instead of built per request.
        var pooledOptions = new DbContextOptionsBuilder<Host.BenchDbContext>()
            .UseNpgsql(context.Db.ConnectionString).Options;
        var pool = new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<Host.BenchDbContext>(pooledOptions);

        List<ChatbotRow> cached = [];
        List<ChatbotRow> liveRows = [];
        List<ChatbotRow> compiledRows = [];
        List<ChatbotRow> pooledRows = [];
        (Series Series, Func<CancellationToken, Task> Body)[] variants =
            [
                (cache, async c =>
                {
                    await using var scope = context.Host.Scope(out var db);
                    cached = await ChatbotsPageQueries.StatsCacheAsync(db, team, c);
                }),
                (handWritten, c => Db.DrainAsync(context.Db, ChatbotsPageQueries.HandWrittenBucketSql, c, ("team", team))),
                (raw, c => Db.DrainAsync(context.Db, ChatbotsPageQueries.RawTotalsSql, c, ("team", team))),
                (compiled, async c =>
                {
                    await using var scope = context.Host.Scope(out var db);
                    compiledRows = await ChatbotsPageQueries.CompiledAsync(db, team, c);
                }),
                (pooled, async c =>
                {
                    await using var db = await pool.CreateDbContextAsync(c);
                    pooledRows = await ChatbotsPageQueries.CompiledPooledAsync(db, team, c);
                }),
                (live, async c => liveRows = await ReadRowsAsync(context, ChatbotsPageQueries.LiveSql, team, c)),
                (view, c => Db.DrainAsync(context.Db, ChatbotsPageQueries.MaterializedViewSql, c, ("team", team))),
                (twoTrips, async c =>
                {
                    var ids = new List<long>();
                    await using (var command = Db.Command(context.Db, ChatbotsPageQueries.PageIdsByNameSql, ("team", team)))
                    await using (var reader = await command.ExecuteReaderAsync(c))
                    {
                        while (await reader.ReadAsync(c))
                        {
                            ids.Add(reader.GetInt64(0));
                        }
                    }

                    await context.Cache.GetExperimentTotalsAsync(team, ids, c);
                }),
            ];
        await Runner.InterleavedAsync(context.Warmups, context.Runs, variants, context.Log, ct);

        // Every variant but the live one is a millisecond read, where one slow moment of this shared machine moves a
        // median of five: they run ExtraRuns more times, still interleaved with each other (the live page, seconds per
        // run, keeps its five). Same samples for the subject and its baselines, so no ratio is favoured.
        await Runner.InterleavedAsync(0, ExtraRuns, [.. variants.Where(v => v.Series != live)], context.Log, ct);

        var identical = cached.SequenceEqual(liveRows) && compiledRows.SequenceEqual(liveRows) && pooledRows.SequenceEqual(liveRows);
        scenario.Notes.Add(identical
            ? "The StatsCache page equals the live page row for row (ids, order and all four statistics)."
            : "MISMATCH: the StatsCache page differs from the live page — a correctness problem, see the run log.");
        if (!identical)
        {
            context.Log("chatbots page mismatch:\n  cache: " + string.Join("\n         ", cached) + "\n  live:  " + string.Join("\n         ", liveRows));
        }

        await using (var scope = context.Host.Scope(out var db))
        {
            var sql = ChatbotsPageQueries.ToQueryString(db, team);
            scenario.Notes.Add("SQL generated by EF Core for the StatsCache variant:\n\n```sql\n" + sql + "\n```");
        }

        var speedup = live.Median / cache.Median;
        var vsBest = cache.Median / handWritten.Median;
        scenario.Targets.Add(TargetCheck.AtLeast("≥ 3,000× faster than live", speedup, 3000, r => Format.Ratio(r) + " faster"));
        scenario.Targets.Add(TargetCheck.AtMost("≤ 1.5× the materialized-view read", cache.Median / view.Median, 1.5, r => Format.Ratio(r) + " its time"));
        scenario.Targets.Add(TargetCheck.AtMost("within 1.5× of the best hand-written bucket query", vsBest, 1.5, r => Format.Ratio(r) + " its time"));
        cache.Notes["EF Core overhead (LINQ − raw SQL over the totals, medians)"] = Format.Ms(cache.Median - raw.Median);
        compiled.Notes["EF Core overhead compiled (compiled − raw, medians)"] = Format.Ms(compiled.Median - raw.Median);
        pooled.Notes["EF Core overhead compiled and pooled (− raw, medians)"] = Format.Ms(pooled.Median - raw.Median);
        return cached;
    }

    private static async Task<List<ChatbotRow>> ReadRowsAsync(ScenarioContext context, string sql, long team, CancellationToken ct)
    {
        await using var command = Db.Command(context.Db, sql, ("team", team));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ChatbotRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ChatbotRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetInt64(3),
                reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetDateTime(5)));
        }

        return rows;
    }
}
