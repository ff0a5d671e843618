using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// Change tracking: triggers record changes to rows older than the refresh window, the next refresh
/// recomputes what they touched — late inserts, deletions, rows moved to another experiment or time —
/// and new rows cost the writers nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeTrackingTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 4, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task MirroredChangesFarBeyondTheLookBackAreExactAfterTheNextRefresh()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);
        var sessions = await SessionsAsync(h);

        // Late rows 20 days old, an erased session, a session moved to another experiment (and 2 hours),
        // an old message deleted from a session whose last activity is much later, a version tag retagged.
        var late = await h.Data.AddSessionAsync(1, 3, 77, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 3, late, Start.AddDays(-20), 2, "late");
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {sessions[0]}; DELETE FROM message_versions WHERE session_id = {sessions[0]}; DELETE FROM chat_sessions WHERE id = {sessions[0]}");
        await ExecuteAsync(h, $"UPDATE chat_sessions SET experiment_id = 4, created_at = created_at + interval '2 hours' WHERE id = {sessions[1]}; UPDATE chat_messages SET experiment_id = 4, created_at = created_at + interval '2 hours' WHERE session_id = {sessions[1]}");
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE id = (SELECT min(id) FROM chat_messages WHERE session_id = {sessions[2]})");
        await ExecuteAsync(h, $"UPDATE message_versions SET version_label = 'retagged' WHERE session_id = {sessions[3]}");
        (await PendingChangesAsync(h)).Should().BeGreaterThan(0);

        h.Advance(TimeSpan.FromMinutes(2));
        await h.Cache.RefreshAsync();

        await h.AssertExactAsync(1, "after the refresh applied the tracked changes");
        (await PendingChangesAsync(h)).Should().Be(0, "applied changes are forgotten");
    }

    [Fact]
    public async Task KeepingHistoryTracksLateRowsButNotPurges()
    {
        await using var h = await BuiltAsync(SourceDeletions.KeepHistory);
        var sessions = await SessionsAsync(h);
        var before = (await h.Cache.GetExperimentTotalsAsync(1, [1, 2, 3, 4])).Values.Sum(t => t.HumanMessageCount);

        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {sessions[0]}");
        (await PendingChangesAsync(h)).Should().Be(0, "a purge is not a change when history is kept");
        var late = await h.Data.AddSessionAsync(1, 3, 77, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 3, late, Start.AddDays(-20), 2);
        h.Advance(TimeSpan.FromMinutes(2));
        await h.Cache.RefreshAsync();

        (await h.Cache.GetExperimentTotalsAsync(1, [1, 2, 3, 4])).Values.Sum(t => t.HumanMessageCount).Should().Be(before + 2, "the late rows are added and the purged ones kept");
    }

    [Fact]
    public async Task NewRowsRecordNothingAndTheScriptNeedsTheOption()
    {
        await using var h = await BuiltAsync(SourceDeletions.Mirror);
        h.Advance(TimeSpan.FromMinutes(1));
        var fresh = await h.Data.AddSessionAsync(1, 1, 5, h.Now.AddSeconds(-30));
        await h.Data.AddMessagesAsync(1, 1, fresh, h.Now.AddSeconds(-20), 3, "v1");
        (await PendingChangesAsync(h)).Should().Be(0, "rows inside the refresh window cost the writers no extra row");

        await using var off = h.NewInstance();
        var cache = (IStatisticsCache)off.GetService(typeof(IStatisticsCache))!;
        cache.Invoking(c => c.GetChangeTrackingScript()).Should().Throw<InvalidOperationException>().WithMessage("*ChangeTracking = true*");

        await h.Cache.DisableChangeTrackingAsync();
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {fresh}");
        await h.Data.AddMessagesAsync(1, 1, fresh, Start.AddDays(-30), 1);
        (await PendingChangesAsync(h)).Should().Be(0, "the triggers are gone");
    }

    /// <summary>A mirrored or history-keeping cache with change tracking on, built over 30 days of sessions.</summary>
    private async Task<CacheHarness> BuiltAsync(SourceDeletions deletions)
    {
        var h = await CacheHarness.CreateAsync(server, Start, o =>
        {
            o.Deletions = deletions;
            o.ChangeTracking = true;
            o.HumanMessages.ChangeTrackingTable = "chat_messages"; // the table the human-message SELECT reads
        });
        var random = new Random(3);
        for (var i = 0; i < 25; i++)
        {
            var at = Start.AddHours(-random.Next(24 * 30));
            var experiment = 1 + random.Next(4);
            var session = await h.Data.AddSessionAsync(1, experiment, 10 + random.Next(6), at);
            await h.Data.AddMessagesAsync(1, experiment, session, [at.AddMinutes(1), at.AddMinutes(2), Min(at.AddDays(9), Start.AddMinutes(-1))], true, $"v{random.Next(2)}");
        }

        await h.Cache.EnableChangeTrackingAsync();
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after the build");
        return h;
    }

    private static async Task<List<long>> SessionsAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand($"SELECT id FROM chat_sessions WHERE created_at < '{Start.AddDays(-3):O}' ORDER BY created_at");
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static async Task<long> PendingChangesAsync(CacheHarness h)
    {
        await using var command = h.Db.CreateCommand("SELECT count(*) FROM statscache_source_changes");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
