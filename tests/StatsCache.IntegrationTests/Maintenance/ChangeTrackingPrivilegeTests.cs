using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.IntegrationTests.Reliability;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// The host's writers need nothing of ours: a least-privilege role with rights on the host's tables
/// only, no grant at all on the cache's schema and a search_path without it, inserts, updates and
/// deletes its own rows while the change-tracking triggers record what they must.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChangeTrackingPrivilegeTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 4, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AWriterWithoutAnyGrantOnTheCacheSchemaOrItInItsSearchPathWritesAndIsTracked()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start, o =>
        {
            o.Deletions = SourceDeletions.Mirror;
            o.ChangeTracking = true;
            o.HumanMessages.ChangeTrackingTable = "chat_messages";
        });
        var database = new NpgsqlConnectionStringBuilder(h.ConnectionString).Database!;

        // Our tables live in their own schema, found by the cache through the database's search_path
        // (the EF model names them unqualified): the install must resolve and qualify them.
        await ExecuteAsync(h.Db, $"""
            CREATE SCHEMA stats;
            DO $$
            DECLARE r record;
            BEGIN
                FOR r IN SELECT c.relname, c.relkind FROM pg_class AS c WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'statscache%' AND c.relkind IN ('r', 'v') LOOP
                    EXECUTE format(CASE r.relkind WHEN 'v' THEN 'ALTER VIEW public.%I SET SCHEMA stats' ELSE 'ALTER TABLE public.%I SET SCHEMA stats' END, r.relname);
                END LOOP;
            END $$;
            ALTER DATABASE "{database}" SET search_path = public, stats;
            """);

        for (var i = 0; i < 12; i++)
        {
            var at = Start.AddDays(-2 - i).AddHours(i);
            var session = await h.Data.AddSessionAsync(1, 1 + (i % 3), 10 + (i % 4), at);
            await h.Data.AddMessagesAsync(1, 1 + (i % 3), session, [at.AddMinutes(1), at.AddMinutes(5)], true, "v1");
        }

        await h.Cache.EnableChangeTrackingAsync();
        await h.Cache.RefreshAsync();
        await h.AssertExactAsync(1, "after the build");

        var writer = "ct_writer_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(h.Db, $"""
            CREATE ROLE {writer} LOGIN PASSWORD 'writer-secret';
            GRANT SELECT, INSERT, UPDATE, DELETE ON public.chat_sessions, public.chat_messages, public.message_versions TO {writer};
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {writer};
            REVOKE ALL ON SCHEMA stats FROM PUBLIC;
            """);
        try
        {
            await using (var check = h.Db.CreateCommand($"SELECT has_schema_privilege('{writer}', 'stats', 'USAGE'), has_table_privilege('{writer}', 'stats.statscache_source_changes', 'INSERT')"))
            await using (var reader = await check.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                (reader.GetBoolean(0), reader.GetBoolean(1)).Should().Be((false, false), "the writer has no right at all on the cache's schema");
            }

            var writerConnection = new NpgsqlConnectionStringBuilder(h.ConnectionString) { Username = writer, Password = "writer-secret", SearchPath = "public", Pooling = false }.ConnectionString;
            await using var asWriter = NpgsqlDataSource.Create(writerConnection);
            (await ScalarAsync(asWriter, "SELECT current_user || ' ' || current_setting('search_path')")).Should().Be($"{writer} public");

            // Late rows 20 days old, a session moved to another experiment, an erased session: every write succeeds.
            var late = Start.AddDays(-20);
            await ExecuteAsync(asWriter, $"""
                INSERT INTO chat_sessions (id, team_id, experiment_id, participant_id, created_at) VALUES (900001, 1, 2, 77, '{late:O}');
                INSERT INTO chat_messages (team_id, experiment_id, session_id, is_human, created_at) VALUES (1, 2, 900001, true, '{late.AddMinutes(1):O}'), (1, 2, 900001, true, '{late.AddMinutes(2):O}');
                INSERT INTO message_versions (session_id, version_label, created_at) VALUES (900001, 'late', '{late.AddMinutes(1):O}');
                """);
            var oldest = (long)(await ScalarAsync(h.Db, "SELECT id FROM chat_sessions WHERE id <> 900001 ORDER BY created_at LIMIT 1"))!;
            var next = (long)(await ScalarAsync(h.Db, $"SELECT id FROM chat_sessions WHERE id NOT IN (900001, {oldest}) ORDER BY created_at LIMIT 1"))!;
            await ExecuteAsync(asWriter, $"""
                UPDATE chat_sessions SET experiment_id = 3 WHERE id = {next};
                UPDATE chat_messages SET experiment_id = 3 WHERE session_id = {next};
                DELETE FROM message_versions WHERE session_id = {oldest};
                DELETE FROM chat_messages WHERE session_id = {oldest};
                DELETE FROM chat_sessions WHERE id = {oldest};
                """);

            ((long)(await ScalarAsync(h.Db, "SELECT count(*) FROM stats.statscache_source_changes"))!).Should().BeGreaterThan(0, "the triggers recorded the writer's changes into a schema it cannot use");
            h.Advance(TimeSpan.FromMinutes(2));
            await h.Cache.RefreshAsync();
            await h.AssertExactAsync(1, "after the refresh applied the writer's changes");
        }
        finally
        {
            await ExecuteAsync(h.Db, $"DROP OWNED BY {writer}; DROP ROLE {writer};");
        }
    }

    /// <summary>
    /// The privileges table of docs/guarantees.md, checked: an installer that owns the host's tables
    /// and may create in our schema, and a maintenance role with SELECT on the sources and DML on our
    /// tables only, run every operation; neither is a superuser.
    /// </summary>
    [Fact]
    public async Task AnInstallerAndAMaintenanceRoleWithOnlyTheDocumentedGrantsRunEveryOperation()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        for (var i = 0; i < 12; i++)
        {
            var at = Start.AddDays(-2 - (3 * i)).AddHours(i);
            var session = await h.Data.AddSessionAsync(1, 1 + (i % 3), 10 + (i % 4), at);
            await h.Data.AddMessagesAsync(1, 1 + (i % 3), session, [at.AddMinutes(1), at.AddMinutes(5)], true, "v1");
        }

        var suffix = Guid.NewGuid().ToString("N")[..12];
        var (installer, maintainer) = ("ct_installer_" + suffix, "ct_maintainer_" + suffix);
        await ExecuteAsync(h.Db, $"""
            CREATE ROLE {installer} LOGIN PASSWORD 'installer-secret';
            CREATE ROLE {maintainer} LOGIN PASSWORD 'maintainer-secret';
            ALTER TABLE chat_sessions OWNER TO {installer};
            ALTER TABLE chat_messages OWNER TO {installer};
            ALTER TABLE message_versions OWNER TO {installer};
            GRANT CREATE ON SCHEMA public TO {installer};
            GRANT SELECT ON statscache_state TO {installer};
            GRANT SELECT, INSERT, DELETE ON statscache_source_changes TO {installer};
            GRANT SELECT ON chat_sessions, chat_messages, message_versions TO {maintainer};
            GRANT SELECT, INSERT, UPDATE, DELETE ON statscache_experiment_buckets, statscache_experiment_totals, statscache_session_statistics, statscache_participant_first_seen,
                statscache_state, statscache_runs, statscache_source_changes TO {maintainer};
            """);
        try
        {
            string As(string role, string password) => new NpgsqlConnectionStringBuilder(h.ConnectionString) { Username = role, Password = password, Pooling = false }.ConnectionString;
            Action<StatisticsCacheOptions> tracked = o =>
            {
                o.Deletions = SourceDeletions.Mirror;
                o.ChangeTracking = true;
                o.HumanMessages.ChangeTrackingTable = "chat_messages";
            };
            await using (var asInstaller = CacheInstance.Create(As(installer, "installer-secret"), h.Clock, tracked))
            {
                await asInstaller.Cache.EnableChangeTrackingAsync();
            }

            await using var asMaintainer = CacheInstance.Create(As(maintainer, "maintainer-secret"), h.Clock, tracked);
            var cache = asMaintainer.Cache;
            await cache.RefreshAsync();
            h.Advance(TimeSpan.FromDays(2));
            await cache.RefreshAsync();
            (await cache.CompressAsync()).Should().NotBeNull();

            // The host (another role) writes late rows and erases a session; the maintainer's refresh applies both.
            var late = await h.Data.AddSessionAsync(1, 2, 77, Start.AddDays(-25));
            await h.Data.AddMessagesAsync(1, 2, late, Start.AddDays(-25), 2, "late");
            var oldest = (long)(await ScalarAsync(h.Db, $"SELECT id FROM chat_sessions WHERE id <> {late} ORDER BY created_at LIMIT 1"))!;
            await ExecuteAsync(h.Db, $"DELETE FROM message_versions WHERE session_id = {oldest}; DELETE FROM chat_messages WHERE session_id = {oldest}; DELETE FROM chat_sessions WHERE id = {oldest}");
            h.Advance(TimeSpan.FromMinutes(2));
            await cache.RefreshAsync();
            await AssertExactAsync(h, cache, "after the maintainer's refresh applied the tracked changes");

            await cache.ReconcileAsync(new ReconcileRequest { From = Start.AddDays(-40), To = h.Now });
            await cache.BackfillAsync();
            await AssertExactAsync(h, cache, "after the maintainer's reconcile and full backfill");
            (await cache.GetExperimentTotalsAsync(1, [1, 2, 3], ReadMode.RealTime)).Should().HaveCount(3);
            (await cache.GetStatusAsync()).Watermark.Should().Be(h.Now);

            await using (var asInstaller = CacheInstance.Create(As(installer, "installer-secret"), h.Clock, tracked))
            {
                await asInstaller.Cache.EnableChangeTrackingAsync(); // a re-install replaces what it installed
                await asInstaller.Cache.DisableChangeTrackingAsync();
            }

            ((long)(await ScalarAsync(h.Db, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'statscache%'"))!).Should().Be(0);
        }
        finally
        {
            await ExecuteAsync(h.Db, $"REASSIGN OWNED BY {installer} TO CURRENT_USER; DROP OWNED BY {installer}; DROP OWNED BY {maintainer}; DROP ROLE {installer}; DROP ROLE {maintainer};");
        }
    }

    private static async Task AssertExactAsync(CacheHarness h, IStatisticsCache cache, string because)
    {
        var live = await h.Live.ExperimentsAsync(1, h.Now);
        (await cache.GetExperimentTotalsAsync(1, live.Keys)).Should().BeEquivalentTo(live, because);
        var sessions = await h.Live.SessionsAsync(1, h.Now);
        (await cache.GetSessionTotalsAsync(1, sessions.Keys)).Should().BeEquivalentTo(sessions, because);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
