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
        var measures = env.Sql.Measures.Count == 0 ? null : new MeasureValues(env.Sql.Measures);
        if (measures is not null)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(MeasureSeriesSql.ExperimentSeries(env.Sql, request.Granularity))
            {
                Parameters =
                {
                    new NpgsqlParameter<TTeamId>("team", teamId),
                    new NpgsqlParameter<TExperimentId[]>("ids", ids),
                    new("from", request.From),
                    new("to", request.To),
                    new("cache", env.Options.CacheName),
                },
            });
        }

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

        if (measures is not null)
        {
            var values = ids.ToDictionary(id => id, _ => new Dictionary<(DateTime Start, BucketSize Size), Dictionary<string, long>>());
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Add(values[reader.GetFieldValue<TExperimentId>(0)], (reader.GetDateTime(1), (BucketSize)reader.GetInt16(2)), reader.GetString(3), reader.GetInt64(4));
            }

            foreach (var (id, list) in points)
            {
                Merge(list, values[id], measures, zone);
            }
        }

        return points.ToDictionary(p => p.Key, p => request.FillEmpty ? Fill(p.Value, request, cutoffs, zone, measures) : (IReadOnlyList<SeriesPoint>)p.Value);
    }

    public async Task<IReadOnlyList<SeriesPoint>> SessionSeriesAsync<TTeamId, TSessionId>(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (env.Sql.Measures.Count > 0)
        {
            return await SessionSeriesWithMeasuresAsync(teamId, sessionId, request, cancellationToken).ConfigureAwait(false);
        }

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

        return request.FillEmpty ? Fill(points, request, new RetentionCutoffs(DateTime.MinValue, DateTime.MinValue), env.Sql.TimeZone, measures: null) : points;
    }

    /// <summary>
    /// A session's series with the host-declared measures: the human messages' statement and the measures'
    /// (<see cref="MeasureSeriesSql.SessionSeries"/>) in one batch, one round trip; their points merged by start.
    /// </summary>
    private async Task<IReadOnlyList<SeriesPoint>> SessionSeriesWithMeasuresAsync<TTeamId, TSessionId>(TTeamId teamId, TSessionId sessionId, SeriesRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TSessionId : notnull
    {
        var measures = new MeasureValues(env.Sql.Measures);
        await using var batch = env.DataSource.CreateBatch();
        foreach (var text in new[] { SeriesSql.SessionSeries(env.Sql, request.Granularity), MeasureSeriesSql.SessionSeries(env.Sql, request.Granularity) })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(text)
            {
                Parameters =
                {
                    new NpgsqlParameter<TTeamId>("team", teamId),
                    new NpgsqlParameter<TSessionId>("session", sessionId),
                    new("from", request.From),
                    new("to", request.To),
                },
            });
        }

        var points = new List<SeriesPoint>();
        var values = new Dictionary<(DateTime Start, BucketSize Size), Dictionary<string, long>>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var start = reader.GetDateTime(0);
                points.Add(new SeriesPoint { Start = start, End = BucketCalendar.End(start, request.Granularity, env.Sql.TimeZone), Size = request.Granularity, SessionCount = 0, NewParticipantCount = 0, HumanMessageCount = reader.GetInt64(1), LastActivity = reader.GetDateTime(2) });
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Add(values, (reader.GetDateTime(0), request.Granularity), reader.GetString(1), reader.GetInt64(2));
            }
        }

        Merge(points, values, measures, env.Sql.TimeZone);
        return request.FillEmpty ? Fill(points, request, new RetentionCutoffs(DateTime.MinValue, DateTime.MinValue), env.Sql.TimeZone, measures) : points;
    }

    private static void Add(Dictionary<(DateTime Start, BucketSize Size), Dictionary<string, long>> values, (DateTime Start, BucketSize Size) key, string measure, long value)
    {
        if (!values.TryGetValue(key, out var byName))
        {
            values[key] = byName = [];
        }

        byName[measure] = value;
    }

    /// <summary>
    /// Gives every point of <paramref name="points"/> its <c>Measures</c> (the values read for its (start, size), zero for
    /// the rest), and adds a point, zero in the built-in statistics, for each span with measure values and no built-in
    /// point (a span with bot messages and no human message); then keeps the points in start order.
    /// </summary>
    private static void Merge(List<SeriesPoint> points, Dictionary<(DateTime Start, BucketSize Size), Dictionary<string, long>> bySpan, MeasureValues measures, ReportingTimeZone zone)
    {
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            points[i] = point with { Measures = measures.Of(bySpan.GetValueOrDefault((point.Start, point.Size))) };
            bySpan.Remove((point.Start, point.Size));
        }

        if (bySpan.Count == 0)
        {
            return;
        }

        foreach (var ((start, size), byName) in bySpan)
        {
            points.Add(SeriesPoint.Empty(start, size, zone) with { Measures = measures.Of(byName) });
        }

        points.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    /// <summary>
    /// Adds zero points for the periods no stored point overlaps. A period's size is the requested
    /// granularity or, where the cache keeps that range coarser, the stored size: no finer zero is
    /// ever made inside a month whose days are unknown.
    /// </summary>
    /// <remarks>With measures declared (<paramref name="measures"/>), a zero point has every measure at zero.</remarks>
    private static List<SeriesPoint> Fill(List<SeriesPoint> stored, SeriesRequest request, RetentionCutoffs cutoffs, ReportingTimeZone zone, MeasureValues? measures)
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
                filled.Add(measures is null ? SeriesPoint.Empty(start, size, zone) : SeriesPoint.Empty(start, size, zone) with { Measures = measures.Zeros });
            }

            cursor = end;
        }

        filled.Sort((a, b) => a.Start.CompareTo(b.Start));
        return filled;
    }

    private static BucketSize Coarsest(BucketSize a, BucketSize b) => a > b ? a : b;
}
