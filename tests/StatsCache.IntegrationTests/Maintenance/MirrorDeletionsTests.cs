using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// <see cref="SourceDeletions.Mirror"/>: deletions (privacy erasure) and rows moved to another
/// experiment lower the totals once their range is recomputed — by the refresh inside its window,
/// by <c>ReconcileAsync</c> beyond it — and every total then equals the live SQL exactly.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MirrorDeletionsTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly DateTime Start = new(2024, 1, 25, 10, 0, 0, DateTimeKind.Utc);
    private static readonly long[] Teams = [1, 2];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RandomInsertsDeletesAndMovesAreMirroredAfterRefreshAndReconcile(int seed)
    {
        var random = new Random(seed);
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror);
        for (var i = 0; i < 40; i++)
        {
            await InsertAsync(h, random, Start.AddMinutes(-random.Next(60 * 24 * 50)));
        }

        await h.Cache.RefreshAsync();
        var log = new List<string>();
        for (var step = 0; step < 30; step++)
        {
            h.Advance(TimeSpan.FromMinutes(random.Next(5, 60 * 30)));
            await InsertAsync(h, random, h.Now.AddMinutes(-random.Next(1, 60)));
            var (change, at) = await MutateAsync(h, random);
            log.Add($"{h.Now:O} {change}");

            var operation = random.Next(3);
            await h.Cache.RefreshAsync();
            if (operation == 1)
            {
                await h.Cache.CompressAsync();
            }

            if (at is { } earliest)
            {
                var result = await h.Cache.ReconcileAsync(new ReconcileRequest { From = earliest, To = h.Now });
                log.Add($"reconcile [{result.From:O}, {result.To:O}): {result.Changes.Count} changed");
            }

            foreach (var team in Teams)
            {
                await h.AssertExactAsync(team, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})");
            }
        }

        output.WriteLine(string.Join('\n', log));
    }

    [Fact]
    public async Task ReconcileReportsWhatChangedAndAParticipantsFirstVisitMovesLater()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror);
        var first = await h.Data.AddSessionAsync(1, 5, 42, Start.AddDays(-40));
        await h.Data.AddMessagesAsync(1, 5, first, Start.AddDays(-40), 3);
        var second = await h.Data.AddSessionAsync(1, 5, 42, Start.AddDays(-10));
        await h.Data.AddMessagesAsync(1, 5, second, Start.AddDays(-10), 2);
        await h.Cache.RefreshAsync();

        // Erase the participant's first session: they now first came 10 days ago.
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {first}; DELETE FROM chat_sessions WHERE id = {first}");
        var result = await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-45), To = Start.AddDays(-35) });

        var change = result.Changes.Should().ContainSingle().Subject;
        change.TeamId.Should().Be(1);
        change.Before.Should().Be(new StatsCache.ExperimentStats { SessionCount = 1, ParticipantCount = 1, HumanMessageCount = 3, LastActivity = Start.AddDays(-40) });
        change.After.Should().Be(StatsCache.ExperimentStats.Empty);
        await h.AssertExactAsync(1, "after the erasure");
        (await h.Cache.GetExperimentBucketsAsync(1, 5)).Should().ContainSingle(b => b.NewParticipantCount == 1 && b.Start <= Start.AddDays(-10) && b.End > Start.AddDays(-10));

        (await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-45), To = Start })).Changes.Should().BeEmpty("nothing changed since");
    }

    [Fact]
    public async Task ATrackedErasureOfASessionWithoutHumanMessagesInsideTheWindowRemovesItsRow()
    {
        // Found by the mirrored, tracked property test (CsCheck seed 1s13i4xNcS93): the refresh forgot the
        // tracked deletion (it falls in its window), and the window finds a session row to remove only through
        // a start, a human message, a tag or a last activity there — a session with no human message has no
        // last activity, so its row and its version tags outlived the session.
        await using var h = await CacheHarness.CreateAsync(server, Start, o =>
        {
            o.Deletions = SourceDeletions.Mirror;
            o.ChangeTracking = true;
            o.HumanMessages.ChangeTrackingTable = "chat_messages";
        });
        await h.Cache.EnableChangeTrackingAsync();
        var session = await h.Data.AddSessionAsync(1, 5, 1, h.Now.AddMinutes(-5));
        await h.Data.AddMessagesAsync(1, 5, session, [h.Now.AddMinutes(-4)], human: false, version: "v2");
        await h.Cache.RefreshAsync();
        (await h.Cache.GetSessionTotalsAsync(1, [session]))[session].Versions.Should().Equal(["v2"], "the session's bot reply is tagged");

        await ExecuteAsync(h, $"DELETE FROM message_versions WHERE session_id = {session}; DELETE FROM chat_messages WHERE session_id = {session}; DELETE FROM chat_sessions WHERE id = {session}");
        h.Advance(TimeSpan.FromMinutes(1));
        await h.Cache.RefreshAsync();

        (await h.Cache.GetSessionTotalsAsync(1, [session]))[session].Should().BeEquivalentTo(
            StatsCache.SessionStats.Empty, "the erased session reads as nothing, its version tags included");
        await h.AssertExactAsync(1, "after the erasure");
    }

    [Fact]
    public async Task AFullRebuildAlsoClearsRangesWhoseSourceRowsAreAllGone()
    {
        // Found by the mirrored soak: a rebuild that started at the earliest *source* row never
        // revisited an earlier range whose every row had been erased.
        await using var h = await CacheHarness.CreateAsync(server, Start, o => o.Deletions = SourceDeletions.Mirror);
        var erased = await h.Data.AddSessionAsync(1, 5, 1, Start.AddDays(-3));
        await h.Data.AddMessagesAsync(1, 5, erased, Start.AddDays(-3), 4);
        await h.Cache.RefreshAsync();
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {erased}; DELETE FROM chat_sessions WHERE id = {erased}");
        h.Advance(TimeSpan.FromDays(1));
        var kept = await h.Data.AddSessionAsync(1, 5, 2, h.Now.AddHours(-1));
        await h.Data.AddMessagesAsync(1, 5, kept, h.Now.AddHours(-1), 1);

        await h.Cache.BackfillAsync();

        await h.AssertExactAsync(1, "after a full rebuild");
        (await h.Cache.GetExperimentBucketsAsync(1, 5)).Should().OnlyContain(b => b.Start >= Start.AddHours(-1), "the erased session's buckets are gone");
    }

    [Fact]
    public async Task KeepHistoryReconcileAddsLateRowsButNeverRemovesPurgedOnes()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var purged = await h.Data.AddSessionAsync(1, 5, 1, Start.AddDays(-20));
        await h.Data.AddMessagesAsync(1, 5, purged, Start.AddDays(-20), 4);
        await h.Cache.RefreshAsync();
        await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE session_id = {purged}");
        var late = await h.Data.AddSessionAsync(1, 5, 2, Start.AddDays(-19)); // committed far beyond the look-back
        await h.Data.AddMessagesAsync(1, 5, late, Start.AddDays(-19), 1);

        var result = await h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-21), To = Start.AddDays(-18) });

        result.Changes.Should().ContainSingle().Which.After.HumanMessageCount.Should().Be(5, "the purged 4 stay counted and the late one is added");
    }

    [Fact]
    public async Task BadReconcileRequestsAreRefused()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var notBuilt = () => h.Cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-1), To = Start });
        (await notBuilt.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*never built*");
        await h.Cache.RefreshAsync();
        var reversed = () => h.Cache.ReconcileAsync(new ReconcileRequest { From = Start, To = Start.AddDays(-1) });
        (await reversed.Should().ThrowAsync<ArgumentException>()).WithMessage("*must be after From*");
        var local = () => h.Cache.ReconcileAsync(new ReconcileRequest { From = DateTime.SpecifyKind(Start.AddDays(-1), DateTimeKind.Unspecified), To = Start });
        (await local.Should().ThrowAsync<ArgumentException>()).WithMessage("*UTC*");
    }

    /// <summary>Deletes a session, deletes one human message, or moves a session to another experiment; returns the earliest time touched.</summary>
    private static async Task<(string Change, DateTime? At)> MutateAsync(CacheHarness h, Random random)
    {
        await using var pick = h.Db.CreateCommand("SELECT id, team_id, created_at FROM chat_sessions ORDER BY id");
        var sessions = new List<(long Id, long Team, DateTime At)>();
        await using (var reader = await pick.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                sessions.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetDateTime(2)));
            }
        }

        var (id, team, at) = sessions[random.Next(sessions.Count)];
        switch (random.Next(4))
        {
            case 0:
                await ExecuteAsync(h, $"DELETE FROM message_versions WHERE session_id = {id}; DELETE FROM chat_messages WHERE session_id = {id}; DELETE FROM chat_sessions WHERE id = {id}");
                return ($"delete session {id}", at);
            case 1:
                await ExecuteAsync(h, $"DELETE FROM chat_messages WHERE id = (SELECT min(id) FROM chat_messages WHERE session_id = {id} AND is_human)");
                return ($"delete a message of {id}", at);
            case 2:
                var experiment = (team - 1) * 4 + random.Next(1, 5);
                await ExecuteAsync(h, $"UPDATE chat_sessions SET experiment_id = {experiment} WHERE id = {id}; UPDATE chat_messages SET experiment_id = {experiment} WHERE session_id = {id}");
                return ($"move {id} to {experiment}", at);
            default:
                return ("nothing", null);
        }
    }

    private static async Task InsertAsync(CacheHarness h, Random random, DateTime at)
    {
        var team = Teams[random.Next(Teams.Length)];
        var experiment = (team - 1) * 4 + random.Next(1, 5);
        long? participant = random.Next(5) == 0 ? null : team * 100 + random.Next(1, 8);
        var session = await h.Data.AddSessionAsync(team, experiment, participant, Trim(at));
        var times = Enumerable.Range(0, random.Next(0, 4)).Select(i => Trim(Min(at.AddMinutes(i * 11 + 1), h.Now.AddTicks(-10)))).ToList();
        await h.Data.AddMessagesAsync(team, experiment, session, times, human: true, version: random.Next(2) == 0 ? null : $"v{random.Next(3)}");
    }

    private static async Task ExecuteAsync(CacheHarness h, string sql)
    {
        await using var command = h.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}
