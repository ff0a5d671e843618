using Microsoft.Extensions.Logging;
using Npgsql;
using StatsCache.Internal;

namespace StatsCache.Maintenance;

/// <summary>
/// The "now" of a maintenance run: the earlier of this instance's clock and the database's. Source
/// rows are stamped by the database or by app servers whose clocks may be ahead, and a watermark
/// ahead of the database's clock would skip every row committed on time below it (and let
/// compression roll up hours that refreshes still rewrite). Taking the minimum keeps the watermark at
/// or behind the database's clock whatever an instance's clock says, and leaves a fake clock set in
/// the past (tests) in charge.
/// </summary>
internal static class MaintenanceClock
{
    /// <summary>min(<paramref name="time"/>, the database's clock), read on the maintenance connection.</summary>
    public static async Task<DateTime> NowAsync(NpgsqlConnection connection, TimeProvider time, int commandTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        var database = await DatabaseNowAsync(connection, commandTimeout, cancellationToken).ConfigureAwait(false);
        var local = time.GetUtcNow().UtcDateTime;
        if (local - database > ReportAheadBy)
        {
            Log.ClockAhead(logger, local, database);
        }

        return local < database ? local : database;
    }

    /// <summary>Clocks a little apart are normal (the database is read a moment later); further ahead is logged.</summary>
    private static readonly TimeSpan ReportAheadBy = TimeSpan.FromMinutes(1);

    /// <summary>The database server's clock (clock_timestamp(), not the transaction's start).</summary>
    public static async Task<DateTime> DatabaseNowAsync(NpgsqlConnection connection, int commandTimeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection) { CommandTimeout = commandTimeout };
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return DateTime.SpecifyKind((DateTime)value!, DateTimeKind.Utc);
    }
}
