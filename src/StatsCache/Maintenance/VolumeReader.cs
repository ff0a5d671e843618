using Npgsql;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>Counts the source rows per hour of a range before it is chunked (see <see cref="BackfillPlan"/>).</summary>
internal static class VolumeReader
{
    public static async Task<ChunkVolume> ReadAsync(NpgsqlConnection connection, CacheSql sql, DateTime from, DateTime to, Array? experiments, StatisticsCacheOptions options, CancellationToken cancellationToken)
    {
        var rows = new List<KeyValuePair<DateTime, long>>();
        if (from < to)
        {
            await using var command = new NpgsqlCommand(VolumeSql.RowsPerHour(sql, experiments is not null), connection) { CommandTimeout = CommandTimeouts.Seconds(options) };
            command.Parameters.AddWithValue("from", from);
            command.Parameters.AddWithValue("to", to);
            if (experiments is not null)
            {
                command.Parameters.Add(KeyArrays.Parameter("experiments", experiments));
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetInt64(1)));
            }
        }

        return new ChunkVolume(rows, options.MaxRowsPerChunk);
    }
}
