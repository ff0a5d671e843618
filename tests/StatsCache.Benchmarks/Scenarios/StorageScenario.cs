using StatsCache.Benchmarks.Host;
using StatsCache.Benchmarks.Infrastructure;
using StatsCache.Benchmarks.Measurement;
using StatsCache.Benchmarks.Report;

namespace StatsCache.Benchmarks.Scenarios;

/// <summary>Rows and bytes (with indexes) of the cache's tables against the source's, after compression (steady state).</summary>
internal static class StorageScenario
{
    private static readonly (string Table, string Role)[] Tables =
    [
        ("chat_messages", "source"),
        ("chat_sessions", "source"),
        ("message_versions", "source"),
        (CacheTableNames.ExperimentBuckets, "cache"),
        (CacheTableNames.SessionStatistics, "cache"),
        (CacheTableNames.ParticipantFirstSeen, "cache"),
        (CacheTableNames.CacheState, "cache"),
        (CacheTableNames.MaintenanceRuns, "cache"),
    ];

    public static async Task RunAsync(ScenarioContext context, CancellationToken ct)
    {
        foreach (var (table, role) in Tables)
        {
            var rows = await Db.ScalarAsync<long>(context.Db, $"SELECT count(*) FROM {table}", ct);
            var bytes = await Db.ScalarAsync<long>(context.Db, "SELECT pg_total_relation_size(@table::regclass)", ct, ("table", table));
            context.Run.Storage.Add(new StorageRow(table, role, rows, bytes));
        }

        long Rows(string table) => context.Run.Storage.First(s => s.Table == table).Rows;
        var bucketShare = (double)Rows(CacheTableNames.ExperimentBuckets) / Rows("chat_messages");
        var perSession = (double)Rows(CacheTableNames.SessionStatistics) / Rows("chat_sessions");
        var scenario = context.Run.Scenario(
            "storage",
            "Storage",
            "Rows and bytes (table + indexes, `pg_total_relation_size`) after the compression scenario, i.e. at steady state. " +
            "Per-session rows exist for sessions with at least one human message.");
        scenario.Targets.Add(TargetCheck.AtMost("experiment buckets ≤ 0.5% of message rows", bucketShare, 0.005, Format.Percent));
        scenario.Targets.Add(TargetCheck.AtMost("≤ 1.1 stored rows per session", perSession, 1.1, r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
