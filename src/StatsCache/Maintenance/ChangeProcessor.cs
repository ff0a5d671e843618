using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using StatsCache.ChangeTracking;
using StatsCache.Internal;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Applies the source changes the triggers recorded: reconciles the range and experiments they
/// touched (in whole stored buckets, see <see cref="Reconciler"/>), recounts the sessions they touched
/// whole, then forgets them. Runs inside a refresh, under its lock, after the refresh's own window;
/// a crash before the changes are forgotten only means they are applied again (it is idempotent).
/// </summary>
internal sealed class ChangeProcessor(CacheEnvironment env, Reconciler reconciler)
{
    /// <summary>
    /// Refuses (throws, and logs an error) when the triggers cannot record what they must; runs under
    /// the refresh's lock before anything is written, so the watermark stays where tracking was sound.
    /// </summary>
    /// <exception cref="InvalidOperationException">Change tracking is broken; the message says what and what to do.</exception>
    public async Task VerifyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var problems = await ChangeTrackingVerifier.ProblemsAsync(connection, env, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            // Logged once, at Error, by the failed-run recorder (event 162) with this message.
            throw ChangeTrackingVerifier.Refusal(env.Options.CacheName, problems);
        }
    }

    /// <summary>
    /// Inside the refresh's transaction: forgets the recorded changes from <paramref name="from"/> (the
    /// start of its window) on, which the window recomputes from the same snapshot anyway.
    /// </summary>
    public async Task ForgetCoveredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTime from, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ChangeTrackingSql.ForgetCovered(env.Sql), connection, transaction);
        command.Parameters.AddWithValue("cache", env.Options.CacheName);
        command.Parameters.Add(StateStore.Timestamp("from", from));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the pending changes; returns how many experiments' statistics changed.</summary>
    public async Task<int> ApplyAsync(NpgsqlConnection connection, DateTime? dailyFrom, DateTime? hourlyFrom, DateTime watermark, DateTime now, long started, CancellationToken cancellationToken)
    {
        var sql = env.Sql;
        await using var maxCommand = new NpgsqlCommand(ChangeTrackingSql.MaxId(sql), connection);
        maxCommand.Parameters.AddWithValue("cache", env.Options.CacheName);
        if (await maxCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long maxId)
        {
            return 0;
        }

        DateTime? first = null, last = null;
        Array experiments, sessions, teams; // typed arrays of the kinds' key types (long[], int[] or Guid[])
        await using (var pending = new NpgsqlCommand(ChangeTrackingSql.Pending(sql), connection) { CommandTimeout = CommandTimeouts.Seconds(env.Options) })
        {
            pending.Parameters.AddWithValue("cache", env.Options.CacheName);
            pending.Parameters.AddWithValue("max_id", maxId);
            await using var reader = await pending.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            first = reader.IsDBNull(0) ? null : reader.GetDateTime(0);
            last = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
            experiments = (Array)reader.GetValue(2);
            sessions = (Array)reader.GetValue(3);
            teams = (Array)reader.GetValue(4);
        }

        var changed = 0;
        if (first is { } from && last is { } to && experiments.Length > 0)
        {
            var run = new LockedReconcile { DailyFrom = dailyFrom, HourlyFrom = hourlyFrom, Watermark = watermark, From = from, To = to.AddHours(1), Experiments = experiments, Now = now, Started = started };
            var result = await reconciler.RunLockedAsync<object, object>(connection, run, cancellationToken).ConfigureAwait(false);
            changed = result.Changes.Count;
        }

        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction) { Timeout = CommandTimeouts.Seconds(env.Options) };
        if (sessions.Length > 0)
        {
            var recount = new NpgsqlBatchCommand(SessionTotalsSql.RecountSessions(sql));
            recount.Parameters.Add(KeyArrays.Parameter("sessions", sessions));
            recount.Parameters.Add(KeyArrays.Parameter("teams", teams));
            recount.Parameters.AddWithValue("to", watermark);
            recount.Parameters.AddWithValue("now", now);
            batch.BatchCommands.Add(recount);
        }

        var consume = new NpgsqlBatchCommand(ChangeTrackingSql.Consume(sql));
        consume.Parameters.AddWithValue("cache", env.Options.CacheName);
        consume.Parameters.AddWithValue("max_id", maxId);
        batch.BatchCommands.Add(consume);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }
}
