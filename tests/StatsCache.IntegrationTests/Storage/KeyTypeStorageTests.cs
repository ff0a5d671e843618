using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace StatsCache.IntegrationTests.Storage;

/// <summary>
/// A host whose ids are all Guids (uuid columns, plain SQL DDL, raw-SQL sources) with <see cref="StatisticsCacheOptions.Keys"/>
/// declared Guid — or all 32-bit integers, declared Int32: <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.EnsureTablesCreatedAsync"/> creates our
/// id columns as uuid (integer), and a backfill then
/// a refresh (with late rows in the refresh's window, a participant's second session, a session in a later hour) leave
/// buckets and totals equal to a live GROUP BY of the host's rows. Our tables are read with SQL, not the public reads.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KeyTypeStorageTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly DateTime Start = new(2024, 9, 10, 12, 0, 0, DateTimeKind.Utc);

    private static readonly int[] Teams = [1, 2];
    private static readonly int[] Experiments = [11, 12, 13];
    private static readonly int[] Participants = [21, 22, 23, 24];

    [Theory]
    [InlineData(KeyType.Guid, "uuid")]
    [InlineData(KeyType.Int32, "integer")]
    public async Task AHostsTablesAreOfItsKeyTypeAndBackfillThenRefreshEqualALiveGroupBy(KeyType keys, string sqlType)
    {
        var database = await server.CreateDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(database);
        await ExecuteAsync(db, $"""
            CREATE TABLE app_sessions (id {sqlType} PRIMARY KEY, team_id {sqlType} NOT NULL, experiment_id {sqlType} NOT NULL, participant_id {sqlType}, created_at timestamptz NOT NULL);
            CREATE TABLE app_messages (id bigserial PRIMARY KEY, team_id {sqlType} NOT NULL, experiment_id {sqlType} NOT NULL, session_id {sqlType} NOT NULL REFERENCES app_sessions,
                                       is_human boolean NOT NULL, created_at timestamptz NOT NULL);
            """);
        object Id(int n) => keys == KeyType.Guid ? new Guid($"00000000-0000-4000-8000-{n:D12}") : n;
        var next = 100;
        foreach (var (team, experiment, participant, at) in new[]
                 {
                     (0, 0, 0, Start.AddDays(-40)), (0, 0, 0, Start.AddDays(-3)), (0, 0, 1, Start.AddDays(-3).AddHours(2)),
                     (0, 1, 2, Start.AddDays(-1)), (1, 2, 3, Start.AddHours(-5)), (1, 2, 3, Start.AddHours(-1)),
                 })
        {
            await AddSessionAsync(db, Id, next++, team, experiment, participant, at, messages: 2);
        }

        var clock = new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = database;
            o.Schema = "guid_stats";
            o.Keys.TeamId = keys;
            o.Keys.ExperimentId = keys;
            o.Keys.SessionId = keys;
            o.Keys.ParticipantId = keys;
            o.ChangeTracking = true;
            o.Sessions.Table = "app_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM app_messages WHERE is_human";
            o.HumanMessages.ChangeTrackingTable = "app_messages";
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // The cache's typed face: IStatisticsCache (long ids) would refuse these keys.
        await (keys == KeyType.Guid
            ? ExerciseAsync(provider.GetRequiredService<IStatisticsCache<Guid, Guid, Guid>>())
            : ExerciseAsync(provider.GetRequiredService<IStatisticsCache<int, int, int>>()));

        async Task ExerciseAsync<TId>(IStatisticsCache<TId, TId, TId> cache)
            where TId : notnull
        {

            var script = cache.GetCreateTablesScript();
            output.WriteLine(script);
            script.Should().Contain($"team_id {sqlType} NOT NULL").And.NotContain("team_id bigint");
            await cache.EnsureTablesCreatedAsync();
            (await IdColumnTypesAsync(db)).Should().OnlyContain(c => c.EndsWith($" {sqlType}", StringComparison.Ordinal) || c.EndsWith($" {sqlType}[]", StringComparison.Ordinal))
                .And.Contain($"statscache_experiment_buckets.team_id {sqlType}")
                .And.Contain($"statscache_experiment_totals.experiment_id {sqlType}")
                .And.Contain($"statscache_session_statistics.session_id {sqlType}")
                .And.Contain($"statscache_participant_first_seen.participant_id {sqlType}")
                .And.Contain($"statscache_source_changes.experiment_id {sqlType}")
                .And.Contain($"statscache_state.backfill_experiments {sqlType}[]");
            await cache.EnableChangeTrackingAsync();

            await cache.BackfillAsync();
            await AssertExactAsync(db, "after the backfill");

            // Inside the refresh's window: a new session of a known participant (not new), a new participant, late messages.
            clock.Advance(TimeSpan.FromMinutes(30));
            await AddSessionAsync(db, Id, next++, 1, 2, 3, Start.AddMinutes(10), messages: 3);
            await AddSessionAsync(db, Id, next++, 0, 1, 1, Start.AddMinutes(20), messages: 1);
            (await cache.RefreshAsync()).Skipped.Should().BeFalse();
            await AssertExactAsync(db, "after a refresh");

            // The triggers record a late message of an old session in the host's types (their typed NULLs too).
            await using (var late = db.CreateCommand("INSERT INTO app_messages (team_id, experiment_id, session_id, is_human, created_at) VALUES ($1, $2, $3, true, $4)"))
            {
                late.Parameters.AddWithValue(Id(Teams[0]));
                late.Parameters.AddWithValue(Id(Experiments[0]));
                late.Parameters.AddWithValue(Id(100));
                late.Parameters.AddWithValue(Start.AddDays(-40).AddMinutes(30));
                await late.ExecuteNonQueryAsync();
            }

            (await RowsAsync(db, "SELECT pg_typeof(team_id)::text, team_id::text, experiment_id::text, session_id::text FROM guid_stats.statscache_source_changes"))
                .Should().Equal([$"{sqlType} | {Id(Teams[0])} | {Id(Experiments[0])} | {Id(100)}"]);

            // The next refresh recomputes what the triggers recorded, reading the changed experiments in the host's type.
            (await cache.RefreshAsync()).Skipped.Should().BeFalse();
            await AssertExactAsync(db, "after the tracked late message");
            (await RowsAsync(db, "SELECT count(*)::text FROM guid_stats.statscache_source_changes")).Should().Equal(["0"]);
        }
    }

    [Fact]
    public async Task AGuidHostsModelDecidesTheKeysAndItsQueriesComposeTheGenericTotals()
    {
        var database = await server.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(Start, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<GuidHostContext>(o => o.UseNpgsql(database));
        services.AddStatisticsCache(_ => { })
            .UseDbContext<GuidHostContext>()
            .MapSessions<GuidSession>(s => new { s.TeamId, s.ExperimentId, SessionId = s.Id, s.ParticipantId, s.CreatedAt })
            .MapHumanMessages<GuidHumanMessage>(m => new { m.TeamId, m.ExperimentId, m.SessionId, m.CreatedAt });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Invoking(v => v.Validate()).Should().NotThrow("the model says Guid for every kind, and the sources agree");
        var ids = 0;
        Guid NextId() => new($"00000000-0000-4000-8000-{++ids:D12}");
        var (team, other) = (NextId(), NextId());
        var experiments = new[] { NextId(), NextId(), NextId() };
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GuidHostContext>();
            await db.Database.EnsureCreatedAsync();
            var i = 0;
            foreach (var (t, e, at) in new[] { (team, 0, -30), (team, 0, -2), (team, 1, -1), (other, 2, -3), (team, 2, -5) })
            {
                var session = new GuidSession { Id = NextId(), TeamId = t, ExperimentId = experiments[e], ParticipantId = i++ % 2 == 0 ? team : other, CreatedAt = Start.AddDays(at) };
                db.Add(session);
                for (var m = 0; m <= e; m++)
                {
                    db.Add(new GuidHumanMessage { Id = NextId(), TeamId = t, ExperimentId = session.ExperimentId, SessionId = session.Id, CreatedAt = session.CreatedAt.AddMinutes(m + 1) });
                }
            }

            await db.SaveChangesAsync();
        }

        var cache = provider.GetRequiredService<IStatisticsCache<Guid, Guid, Guid>>();
        await cache.BackfillAsync();

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GuidHostContext>();
            var page = await db.Set<StatsCache.Storage.ExperimentStatistics<Guid, Guid>>()
                .Where(t => t.TeamId == team)
                .OrderByDescending(t => t.LastActivityOrMinValue).ThenBy(t => t.ExperimentId)
                .Select(t => new { t.ExperimentId, t.SessionCount, t.ParticipantCount, t.HumanMessageCount, t.LastActivity })
                .ToListAsync();
            var live = await db.Set<GuidSession>().Where(s => s.TeamId == team)
                .GroupBy(s => s.ExperimentId)
                .Select(g => new
                {
                    ExperimentId = g.Key,
                    SessionCount = (long)g.Count(),
                    ParticipantCount = (long)g.Select(s => s.ParticipantId).Distinct().Count(),
                    HumanMessageCount = (long)db.Set<GuidHumanMessage>().Count(m => m.TeamId == team && m.ExperimentId == g.Key),
                    LastActivity = db.Set<GuidHumanMessage>().Where(m => m.TeamId == team && m.ExperimentId == g.Key).Max(m => (DateTime?)m.CreatedAt),
                })
                .ToListAsync();
            page.Should().HaveCount(3).And.BeEquivalentTo(live, "the generic totals entity composes into the host's query like the long one");
            page.Select(p => p.LastActivity).Should().BeInDescendingOrder();
        }
    }

    [Fact]
    public async Task AUuidSourceColumnUnderInt64KeysIsRefusedNamingTheColumnItsTypeAndTheKeysOption()
    {
        var database = await server.CreateDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(database);
        await ExecuteAsync(db, """
            CREATE TABLE app_sessions (id bigint PRIMARY KEY, team_id uuid NOT NULL, experiment_id bigint NOT NULL, participant_id bigint, created_at timestamptz NOT NULL);
            CREATE TABLE app_messages (id bigserial PRIMARY KEY, team_id uuid NOT NULL, experiment_id bigint NOT NULL, session_id bigint NOT NULL, is_human boolean NOT NULL, created_at timestamptz NOT NULL);
            """);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStatisticsCache(o =>
        {
            o.ConnectionString = database;
            o.Sessions.Table = "app_sessions";
            o.Sessions.SessionIdColumn = "id";
            o.HumanMessages.Sql = "SELECT team_id, experiment_id, session_id, created_at FROM app_messages WHERE is_human";
        });
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IStatisticsCache>();
        await cache.EnsureTablesCreatedAsync();

        var message = (await cache.Invoking(c => c.BackfillAsync()).Should().ThrowAsync<InvalidOperationException>()).Which.Message;

        message.Should().Contain("source Sessions column team_id is uuid; expected an integer (bigint, integer or smallint), as Keys.TeamId is Int64")
            .And.Contain("Declare StatisticsCacheOptions.Keys.TeamId as the column's type (Guid)")
            .And.Contain("source HumanMessages column team_id is uuid");
        (await RowsAsync(db, "SELECT count(*) FROM statscache_state WHERE backfill_to IS NOT NULL")).Should().Equal(["0"], "nothing was written");
    }

    private static async Task AddSessionAsync(NpgsqlDataSource db, Func<int, object> id, int sessionNumber, int team, int experiment, int participant, DateTime at, int messages)
    {
        var session = id(sessionNumber);
        await using var command = db.CreateCommand("""
            INSERT INTO app_sessions (id, team_id, experiment_id, participant_id, created_at) VALUES ($1, $2, $3, $4, $5);
            """);
        command.Parameters.AddWithValue(session);
        command.Parameters.AddWithValue(id(Teams[team]));
        command.Parameters.AddWithValue(id(Experiments[experiment]));
        command.Parameters.AddWithValue(id(Participants[participant]));
        command.Parameters.AddWithValue(at);
        await command.ExecuteNonQueryAsync();
        for (var i = 0; i < messages; i++)
        {
            foreach (var human in new[] { true, false })
            {
                await using var message = db.CreateCommand("INSERT INTO app_messages (team_id, experiment_id, session_id, is_human, created_at) VALUES ($1, $2, $3, $4, $5)");
                message.Parameters.AddWithValue(id(Teams[team]));
                message.Parameters.AddWithValue(id(Experiments[experiment]));
                message.Parameters.AddWithValue(session);
                message.Parameters.AddWithValue(human);
                message.Parameters.AddWithValue(at.AddMinutes(i + (human ? 1 : 2)));
                await message.ExecuteNonQueryAsync();
            }
        }
    }

    /// <summary>Buckets summed per experiment, the totals table, and the session totals, each equal to a GROUP BY of the host's rows.</summary>
    private static async Task AssertExactAsync(NpgsqlDataSource db, string because)
    {
        const string Live = """
            SELECT e.team_id::text, e.experiment_id::text,
                   (SELECT count(*) FROM app_sessions AS s WHERE s.team_id = e.team_id AND s.experiment_id = e.experiment_id),
                   (SELECT count(DISTINCT s.participant_id) FROM app_sessions AS s WHERE s.team_id = e.team_id AND s.experiment_id = e.experiment_id),
                   (SELECT count(*) FROM app_messages AS m WHERE m.is_human AND m.team_id = e.team_id AND m.experiment_id = e.experiment_id),
                   (SELECT max(m.created_at) FROM app_messages AS m WHERE m.is_human AND m.team_id = e.team_id AND m.experiment_id = e.experiment_id)
            FROM (SELECT DISTINCT team_id, experiment_id FROM app_sessions) AS e
            ORDER BY 1, 2
            """;
        var live = await RowsAsync(db, Live);
        live.Should().HaveCount(3);
        var buckets = await RowsAsync(db, """
            SELECT b.team_id::text, b.experiment_id::text, sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
            FROM guid_stats.statscache_experiment_buckets AS b GROUP BY 1, 2 ORDER BY 1, 2
            """);
        buckets.Should().Equal(live, $"the buckets summed per experiment equal the live counts {because}");
        var totals = await RowsAsync(db, """
            SELECT t.team_id::text, t.experiment_id::text, t.session_count, t.participant_count, t.human_message_count, t.last_activity
            FROM guid_stats.statscache_experiment_totals AS t ORDER BY 1, 2
            """);
        totals.Should().Equal(live, $"the totals table equals the live counts {because}");

        var liveSessions = await RowsAsync(db, """
            SELECT s.team_id::text, s.experiment_id::text, s.id::text, count(m.id), max(m.created_at)
            FROM app_sessions AS s LEFT JOIN app_messages AS m ON m.session_id = s.id AND m.is_human
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """);
        var sessions = await RowsAsync(db, """
            SELECT st.team_id::text, st.experiment_id::text, st.session_id::text, st.human_message_count, st.last_activity
            FROM guid_stats.statscache_session_statistics AS st ORDER BY 1, 2, 3
            """);
        sessions.Should().Equal(liveSessions, $"the session totals equal the live counts {because}");
    }

    private static async Task<List<string>> IdColumnTypesAsync(NpgsqlDataSource db) => await RowsAsync(db, """
        SELECT c.table_name || '.' || c.column_name || ' ' || format_type(a.atttypid, a.atttypmod)
        FROM information_schema.columns AS c
        JOIN pg_attribute AS a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
        WHERE c.table_schema = 'guid_stats' AND (c.column_name IN ('team_id', 'experiment_id', 'session_id', 'participant_id') OR c.column_name = 'backfill_experiments')
        ORDER BY 1
        """);

    private static async Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public sealed class GuidSession
    {
        public Guid Id { get; set; }

        public Guid TeamId { get; set; }

        public Guid ExperimentId { get; set; }

        public Guid? ParticipantId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    public sealed class GuidHumanMessage
    {
        public Guid Id { get; set; }

        public Guid TeamId { get; set; }

        public Guid ExperimentId { get; set; }

        public Guid SessionId { get; set; }

        public DateTime CreatedAt { get; set; }
    }

    /// <summary>A Guid-keyed host: its own entities and the cache's, mapped with Guid ids (nothing declared in the options).</summary>
    public sealed class GuidHostContext(DbContextOptions<GuidHostContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<GuidSession>().ToTable("guid_sessions");
            modelBuilder.Entity<GuidHumanMessage>().ToTable("guid_human_messages");
            modelBuilder.UseStatisticsCache<Guid, Guid, Guid, Guid>("guid_model_stats");
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
