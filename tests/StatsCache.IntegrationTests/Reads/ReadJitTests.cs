using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using StatsCache.Internal;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Sql;

namespace StatsCache.IntegrationTests.Reads;

/// <summary>
/// A gated read (cached until built, live before) plans both branches, and the live branch's estimated
/// cost is far above <c>jit_above_cost</c> on a large source: with JIT on, every page read compiled the
/// whole plan (measured 4 → 40 ms at the reference size). Reads therefore send <c>SET LOCAL jit = off</c>
/// first in their batch, which holds for that read alone.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReadJitTests(PostgresServer server)
{
    private static readonly DateTime Start = new(2024, 6, 3, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task AGatedTotalsReadIsNeverJitCompiledAndTheSettingDoesNotLeakIntoThePooledConnection()
    {
        await using var h = await CacheHarness.CreateAsync(server, Start);
        var session = await h.Data.AddSessionAsync(1, 10, 100, Start.AddHours(-2));
        await h.Data.AddMessagesAsync(1, 10, session, [Start.AddHours(-1)]);
        await h.Cache.RefreshAsync();

        var env = h.Services.GetRequiredService<CacheEnvironment>();
        var gated = ReadSql.UntilBuilt(env.Sql, env.Sql.Totals, TotalsReadSql.Cached(env.Sql), TailReadSql.ExperimentTotals(env.Sql));

        // JIT for everything, as a large source's cost estimates make it in production.
        await using var connection = await h.Db.OpenConnectionAsync();
        await using (var force = new NpgsqlCommand("SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = -1; SET jit_optimize_above_cost = -1", connection))
        {
            await force.ExecuteNonQueryAsync();
        }

        (await JitFunctionsAsync(connection, gated, withoutJit: false)).Should().BeGreaterThan(0, "the test must be able to see JIT (else it proves nothing)");
        (await JitFunctionsAsync(connection, gated, withoutJit: true)).Should().Be(0, "a read's batch turns JIT off for itself");

        await using var show = new NpgsqlCommand("SHOW jit", connection);
        (await show.ExecuteScalarAsync()).Should().Be("on", "SET LOCAL in the read's batch ends with it: the pooled connection keeps its settings");
    }

    private static async Task<int> JitFunctionsAsync(NpgsqlConnection connection, string statement, bool withoutJit)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (withoutJit)
        {
            batch.BatchCommands.Add(ReadSql.WithoutJit());
        }

        var explain = new NpgsqlBatchCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + statement);
        explain.Parameters.AddWithValue("team", 1L);
        explain.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = new long[] { 10, 11 } });
        explain.Parameters.AddWithValue("live", false);
        explain.Parameters.AddWithValue("cache", "default");
        batch.BatchCommands.Add(explain);
        var json = (string)(await batch.ExecuteScalarAsync())!;
        using var plan = JsonDocument.Parse(json);
        return plan.RootElement[0].TryGetProperty("JIT", out var jit) ? jit.GetProperty("Functions").GetInt32() : 0;
    }
}
