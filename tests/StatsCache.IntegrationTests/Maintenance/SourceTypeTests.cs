using Microsoft.Extensions.DependencyInjection;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// A source column of the wrong type is refused at the first maintenance call, naming source, column, the
/// type found and the type expected — before anything is written, so the state is not left "backfilling"
/// (it used to fail inside the first refresh with 42883 operator does not exist: bigint = text).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SourceTypeTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 8, 20, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ATextSessionIdAndATimestampWithoutTimeZoneAreNamedAndNothingIsWritten()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var session = await h.Data.AddSessionAsync(1, 10, 7, Start.AddDays(-2));
        await h.Data.AddMessagesAsync(1, 10, session, Start.AddDays(-2), 3);
        await using var b = h.NewInstance(o =>
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id::text AS session_id, created_at::timestamp AS created_at FROM chat_messages WHERE is_human");
        var cache = b.GetRequiredService<IStatisticsCache>();

        var refresh = () => cache.RefreshAsync();

        var message = (await refresh.Should().ThrowAsync<InvalidOperationException>()).Which.Message;
        message.Should().Contain("source HumanMessages column session_id is text; expected an integer (bigint, integer or smallint)");
        message.Should().Contain("source HumanMessages column created_at is timestamp without time zone; expected timestamp with time zone");
        var status = await cache.GetStatusAsync();
        (status.Watermark, status.BackfillInProgress, status.SessionRows).Should().Be((null, false, 0L), "nothing ran, so nothing claims to be under way");
    }

    [Fact]
    public async Task AMissingColumnOfASqlSourceIsNamed()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        await using var b = h.NewInstance(o => o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id AS sid, created_at FROM chat_messages");

        var refresh = () => b.GetRequiredService<IStatisticsCache>().BackfillAsync();

        (await refresh.Should().ThrowAsync<InvalidOperationException>()).Which.Message
            .Should().Contain("source HumanMessages has no column session_id (it has team_id, experiment_id, sid, created_at)");
    }
}
