using Npgsql;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Reads;

/// <summary>Trend series: experiments from the buckets (one round trip), a session live from its messages.</summary>
internal sealed class SeriesReader(CacheEnvironment env)
{
    public async Task<IReadOnlyDictionary<TExperimentId, IReadOnlyList<SeriesPoint>>> ExperimentSeriesAsync<TTeamId, TExperimentId>(TTeamId teamId, IEnumerable<TExperimentId>? experimentIds, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        var ids = experimentIds?.Distinct().ToArray() ?? [];
        request.Validate(ids.Length);
        var points = ids.ToDictionary(id => id, _ => new List<SeriesPoint>());
        if (ids.Length == 0)
        {
            return points.ToDictionary(p => p.Key, p => (IReadOnlyList<SeriesPoint>)p.Value);
        }

        // Until the cache is built the points are live, over the request widened to whole periods.
        var zone = env.Sql.TimeZone;
        var liveFrom = BucketCalendar.Floor(request.From, request.Granularity, zone);
        var liveTo = BucketCalendar.End(BucketCalendar.Floor(request.To.AddTicks(-1), request.Granularity, zone), request.Granularity, zone);
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                ReadSql.WithoutJit(),
                StateStore.Read(env.Sql, env.Options.CacheName),
                new NpgsqlBatchCommand($"SELECT {ReadSql.Built(env.Sql, env.Sql.Buckets)}") { Parameters = { new("cache", env.Options.CacheName), new NpgsqlParameter<TTeamId>("team", teamId) } },
                new NpgsqlBatchCommand(LiveSeriesSql.ExperimentSeriesUntilBuilt(env.Sql, request.Granularity))
                {
                    Parameters =
                    {
                        new NpgsqlParameter<TTeamId>("team", teamId),
                        new NpgsqlParameter<TExperimentId[]>("ids", ids),
                        new("from", request.From),
                        new("to", request.To),
                        new("cache", env.Options.CacheName),
                        new("live_from", liveFrom),
                        new("live_to", liveTo),
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var cutoffs = new RetentionCutoffs(DateTime.MinValue, DateTime.MinValue);
        if (await StateStore.ReadRowAsync(reader, env.Options.CacheName, cancellationToken).ConfigureAwait(false) is { } state)
        {
            // Points of a cache built in another zone would be labelled with the wrong days.
            CacheTimeZoneGuard.Require(state.TimeZone, env.Sql.TimeZone, env.Options.CacheName);
            cutoffs = new RetentionCutoffs(state.DailyFrom ?? DateTime.MinValue, state.HourlyFrom ?? DateTime.MinValue);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!reader.GetBoolean(0))
        {
            cutoffs = new RetentionCutoffs(DateTime.MinValue, DateTime.MinValue); // live points: every period at the requested size
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var start = reader.GetDateTime(1);
            var size = (BucketSize)reader.GetInt16(2);
            points[reader.GetFieldValue<TExperimentId>(0)].Add(new SeriesPoint { Start = start, End = BucketCalendar.End(start, size, zone), Size = size, SessionCount = reader.GetInt64(3), NewParticipantCount = reader.GetInt64(4), HumanMessageCount = reader.GetInt64(5), LastActivity = reader.IsDBNull(6) ? null : reader.GetDateTime(6) });
        }

        return points.ToDictionary(p => p.Key, p => request.FillEmpty ? Fill(p.Value, request, cutoffs, zone) : (IReadOnlyList<SeriesPoint>)p.Value);
    }

    public async Task<IReadOnlyList<SeriesPoint>> SessionSeriesAsync<TTeamId, TSessionId>(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        await using var command = env.DataSource.CreateCommand(SeriesSql.SessionSeries(env.Sql, request.Granularity));
        command.Parameters.Add(new NpgsqlParameter<TTeamId>("team", teamId));
        command.Parameters.Add(new NpgsqlParameter<TSessionId>("session", sessionId));
        command.Parameters.AddWithValue("from", request.From);
        command.Parameters.AddWithValue("to", request.To);
        var points = new List<SeriesPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var start = reader.GetDateTime(0);
            points.Add(new SeriesPoint { Start = start, End = BucketCalendar.End(start, request.Granularity, env.Sql.TimeZone), Size = request.Granularity, SessionCount = 0, NewParticipantCount = 0, HumanMessageCount = reader.GetInt64(1), LastActivity = reader.GetDateTime(2) });
        }

        return request.FillEmpty ? Fill(points, request, new RetentionCutoffs(DateTime.MinValue, DateTime.MinValue), env.Sql.TimeZone) : points;
    }

    /// <summary>
    /// Adds zero points for the periods no stored point overlaps. A period's size is the requested
    /// granularity or, where the cache keeps that range coarser, the stored size: no finer zero is
    /// ever made inside a month whose days are unknown.
    /// </summary>
    private static List<SeriesPoint> Fill(List<SeriesPoint> stored, SeriesRequest request, RetentionCutoffs cutoffs, ReportingTimeZone zone)
    {
        var filled = new List<SeriesPoint>(stored);
        var cursor = BucketCalendar.Floor(request.From, Coarsest(request.Granularity, cutoffs.SizeAt(request.From)), zone);
        var next = 0;
        while (cursor < request.To)
        {
            var size = Coarsest(request.Granularity, cutoffs.SizeAt(cursor));
            var start = BucketCalendar.Floor(cursor, size, zone);
            var end = BucketCalendar.End(start, size, zone);
            while (next < stored.Count && stored[next].End <= start)
            {
                next++;
            }

            if (next >= stored.Count || stored[next].Start >= end)
            {
                filled.Add(SeriesPoint.Empty(start, size, zone));
            }

            cursor = end;
        }

        filled.Sort((a, b) => a.Start.CompareTo(b.Start));
        return filled;
    }

    private static BucketSize Coarsest(BucketSize a, BucketSize b) => a > b ? a : b;
}
