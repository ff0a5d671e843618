using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>Batch totals for a page of ids: 25 experiments (the largest team's page) and 50 sessions (the largest chatbot's page).</summary>
internal static class BatchTotalsScenario
{
    private const string LiveExperimentsSql = """
        SELECT e.id,
               (SELECT count(*) FROM chat_sessions AS s WHERE s.experiment_id = e.id),
               (SELECT count(DISTINCT s.participant_id) FROM chat_sessions AS s WHERE s.experiment_id = e.id),
               (SELECT count(*) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id WHERE s.experiment_id = e.id AND m.is_human),
               (SELECT max(m.created_at) FROM chat_messages AS m JOIN chat_sessions AS s ON s.id = m.session_id WHERE s.experiment_id = e.id AND m.is_human)
        FROM experiments AS e
        WHERE e.team_id = @team AND e.id = ANY(@ids)
        """;

    private const string LiveSessionsSql = """
        SELECT s.id,
               (SELECT count(*) FROM chat_messages AS m WHERE m.session_id = s.id AND m.is_human),
               (SELECT max(m.created_at) FROM chat_messages AS m WHERE m.session_id = s.id AND m.is_human),
               (SELECT array_agg(DISTINCT v.version ORDER BY v.version) FROM message_versions AS v WHERE v.session_id = s.id)
        FROM chat_sessions AS s
        WHERE s.team_id = @team AND s.id = ANY(@ids)
        """;

    public static async Task RunAsync(ScenarioContext context, long[] experimentIds, long[] sessionIds, CancellationToken ct)
    {
        var experimentTeam = context.Facts.LargestTeam;
        var experiments = context.Run.Scenario(
            "batch-experiments",
            $"Batch totals for {experimentIds.Length} experiments (the largest team's chatbots page)",
            "StatsCache: `GetExperimentTotalsAsync(team, ids)` — one round trip reading the ids' totals rows. " +
            "Baseline: the same four statistics for the same ids with live correlated sub-queries.");
        var cache = experiments.Add("StatsCache GetExperimentTotalsAsync", SeriesRole.Subject);
        var live = experiments.Add("live correlated sub-queries", SeriesRole.Baseline);
        await Runner.InterleavedAsync(
            context.Warmups,
            context.Runs,
            [
                (cache, c => context.Cache.GetExperimentTotalsAsync(experimentTeam, experimentIds, c)),
                (live, c => Db.DrainAsync(context.Db, LiveExperimentsSql, c, ("team", experimentTeam), ("ids", experimentIds))),
            ],
            context.Log,
            ct);
        experiments.Targets.Add(TargetCheck.AtMost("≤ 1 ms", cache.Median, 1, Format.Ms));

        var sessionTeam = context.Facts.LargestExperimentTeam;
        var sessions = context.Run.Scenario(
            "batch-sessions",
            $"Batch totals for {sessionIds.Length} sessions (the largest chatbot's sessions page)",
            "StatsCache: `GetSessionTotalsAsync(team, ids)` — one round trip reading the ids' session rows (with their versions). " +
            "Baseline: per session, live correlated count and max of human messages and the distinct versions.");
        var sessionCache = sessions.Add("StatsCache GetSessionTotalsAsync", SeriesRole.Subject);
        var sessionLive = sessions.Add("live correlated sub-queries", SeriesRole.Baseline);
        await Runner.InterleavedAsync(
            context.Warmups,
            context.Runs,
            [
                (sessionCache, c => context.Cache.GetSessionTotalsAsync(sessionTeam, sessionIds, c)),
                (sessionLive, c => Db.DrainAsync(context.Db, LiveSessionsSql, c, ("team", sessionTeam), ("ids", sessionIds))),
            ],
            context.Log,
            ct);
        sessions.Targets.Add(TargetCheck.AtMost("≤ 3 ms", sessionCache.Median, 3, Format.Ms));
    }
}
