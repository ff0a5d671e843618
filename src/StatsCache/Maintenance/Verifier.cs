using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using StatsCache.Internal;
using StatsCache.Policy;
using StatsCache.Sql;
using StatsCache.Storage;

namespace StatsCache.Maintenance;

/// <summary>
/// Compares the source with the cache range by range — one stored bucket (month, day, hour) at a
/// time, in one set-based statement over the host's created_at indexes — and repairs the ranges that
/// differ through the reconcile's recompute. Finds what refreshes cannot see: rows imported with old
/// timestamps, restores, late batches beyond the look-back, a cache table emptied under a built state.
/// Runs under the maintenance lock (waits for it) and records its run; a verify that leaves drift
/// records it as <see cref="DriftOperation"/>, which the health check reports until a clean verify.
/// </summary>
internal sealed class Verifier(CacheEnvironment env, TimeProvider time, Reconciler reconciler, StatisticsCacheMetrics metrics, ILogger<Verifier> logger)
{
    public const string Operation = "verify";

    /// <summary>The run-history operation of a verify that left ranges differing from the source.</summary>
    public const string DriftOperation = "verify drift";

    public async Task<VerifyResult<TTeamId, TExperimentId>> VerifyAsync<TTeamId, TExperimentId>(VerifyRequest request, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        ArgumentNullException.ThrowIfNull(request);
        UtcGuard.Require(request.From, "request.From");
        UtcGuard.Require(request.To, "request.To");
        if (request.Last is { } last && last <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), last, "VerifyRequest.Last must be positive.");
        }

        if (request is { From: { } f, To: { } t } && t <= f)
        {
            throw new ArgumentException($"VerifyRequest.To ({t:O}) must be after From ({f:O}).", nameof(request));
        }

        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        var sql = env.Sql;
        await using var connection = await env.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var maintenanceLock = await MaintenanceLock.AcquireAsync(connection, env.LockKey, cancellationToken).ConfigureAwait(false);
        var timeout = CommandTimeouts.Seconds(env.Options);
        now = await MaintenanceClock.NowAsync(connection, time, timeout, logger, cancellationToken).ConfigureAwait(false);
        var state = await MaintenanceState.LoadAsync(connection, sql, env.Options.CacheName, now, timeout, cancellationToken).ConfigureAwait(false);
        if (state.Watermark is not { } watermark)
        {
            throw new InvalidOperationException("StatsCache: the cache was never built; run RefreshAsync or BackfillAsync before verifying it (until then reads are live).");
        }

        await MeasureRegistry.SyncAsync(connection, sql, env.Options.CacheName, state, now, timeout, logger, cancellationToken).ConfigureAwait(false);

        // Rows inside the next refresh's window may simply not be counted yet: not drift.
        var windowStart = BucketCalendar.Floor(watermark - env.Options.LookBack, BucketSize.Hour);
        var end = request.To is { } to && to < windowStart ? to : windowStart;
        var from = request.Last is { } span ? end - span : request.From ?? await EarliestAsync(connection, cancellationToken).ConfigureAwait(false);
        var stored = new RetentionCutoffs(state.DailyFrom ?? DateTime.MinValue, state.HourlyFrom ?? DateTime.MinValue);
        var ranges = from is { } start && start < end ? Ranges(start, end, stored, sql.TimeZone) : [];

        var compared = await CompareAsync(connection, ranges, cancellationToken).ConfigureAwait(false);
        var differing = compared.Where(c => c.Source != c.Cache).ToList();
        var found = differing.Select(c => new VerifiedRange { From = c.Range.From, To = c.Range.To, Size = c.Range.Size, Source = c.Source, Before = c.Cache, After = null, Verdict = Classify(c.Source, c.Cache) }).ToList();

        var changes = new List<ExperimentChange<TTeamId, TExperimentId>>();
        long rows = 0;
        long totalsDiffering = 0;
        string? repairError = null;
        if (request.Repair && found.Any(r => r.Verdict == RangeVerdict.Drift))
        {
            try
            {
                foreach (var (spanFrom, spanTo) in Spans(found.Where(r => r.Verdict == RangeVerdict.Drift)))
                {
                    var run = new LockedReconcile { DailyFrom = state.DailyFrom, HourlyFrom = state.HourlyFrom, Watermark = watermark, From = spanFrom, To = spanTo, Now = now, Started = time.GetTimestamp() };
                    var reconciled = await reconciler.RunLockedAsync<TTeamId, TExperimentId>(connection, run, cancellationToken).ConfigureAwait(false);
                    changes.AddRange(reconciled.Changes);
                    rows += reconciled.RowsWritten;
                }

                // Compared again span by span: CompareAsync needs contiguous ranges.
                var after = new Dictionary<DateTime, Comparison>();
                foreach (var (spanFrom, spanTo) in Spans(found.Where(r => r.Verdict == RangeVerdict.Drift)))
                {
                    var spanRanges = ranges.Where(r => r.From >= spanFrom && r.To <= spanTo).ToList();
                    foreach (var comparison in await CompareAsync(connection, spanRanges, cancellationToken).ConfigureAwait(false))
                    {
                        after[comparison.Range.From] = comparison;
                    }
                }

                found = found.Select(r => r.Verdict != RangeVerdict.Drift ? r : After(r, after[r.From])).ToList();
            }
            catch (Exception e) when (e is PostgresException or NpgsqlException or InvalidOperationException)
            {
                repairError = e.Message;
                await RecordAsync(connection, found, changes, ranges, end, now, started, rows, repairError, totalsDiffering, cancellationToken).ConfigureAwait(false);
                throw;
            }
        }

        // The totals rows against the buckets they summarise (kept equal in every transaction; this finds hand edits).
        if (request.Repair)
        {
            // Two statements in one batch (one implicit transaction): their affected rows are the rows repaired.
            await using var repair = new NpgsqlBatch(connection) { Timeout = timeout };
            // The host-declared measures' totals rows against their buckets likewise, in the same batch.
            foreach (var text in TotalsSql.Repair(sql).Concat(sql.Measures.Count > 0 ? MeasureTotalsSql.Repair(sql) : []))
            {
                repair.BatchCommands.Add(new NpgsqlBatchCommand(text) { Parameters = { new("now", now) } });
            }

            totalsDiffering = await repair.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            rows += totalsDiffering;
        }
        else
        {
            await using var totals = new NpgsqlCommand(TotalsSql.Mismatches(sql), connection) { CommandTimeout = timeout };
            totalsDiffering = Convert.ToInt64(await totals.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (sql.Measures.Count > 0)
            {
                await using var measureTotals = new NpgsqlCommand(MeasureTotalsSql.Mismatches(sql), connection) { CommandTimeout = timeout };
                totalsDiffering += Convert.ToInt64(await measureTotals.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var result = await RecordAsync(connection, found, changes, ranges, end, now, started, rows, repairError, totalsDiffering, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Under KeepHistory, a range where the source has less and nothing more is a purge: history is kept.</summary>
    private RangeVerdict Classify(RangeCounts source, RangeCounts cache)
    {
        if (env.Sql.MirrorDeletions)
        {
            return RangeVerdict.Drift;
        }

        var sourceHasMore = source.SessionCount > cache.SessionCount || source.HumanMessageCount > cache.HumanMessageCount
            || (source.LastActivity is { } s && (cache.LastActivity is not { } c || s > c));
        return sourceHasMore ? RangeVerdict.Drift : RangeVerdict.Purged;
    }

    /// <summary>The verdict after the repair: agreeing (or only purged rows left, under KeepHistory) is repaired; anything else is still drift.</summary>
    private VerifiedRange After(VerifiedRange range, Comparison after) =>
        range with { After = after.Cache, Verdict = after.Source == after.Cache || Classify(after.Source, after.Cache) == RangeVerdict.Purged ? RangeVerdict.Repaired : RangeVerdict.Drift };

    private async Task<VerifyResult<TTeamId, TExperimentId>> RecordAsync<TTeamId, TExperimentId>(NpgsqlConnection connection, List<VerifiedRange> found, List<ExperimentChange<TTeamId, TExperimentId>> changes, List<BucketRange> ranges, DateTime end, DateTime now, long started, long rows, string? repairError, long totalsDiffering, CancellationToken cancellationToken)
        where TTeamId : notnull
        where TExperimentId : notnull
    {
        var duration = time.GetElapsedTime(started);
        var result = new VerifyResult<TTeamId, TExperimentId> { From = ranges.Count > 0 ? ranges[0].From : end, To = ranges.Count > 0 ? ranges[^1].To : end, RangesChecked = ranges.Count, Ranges = found, Changes = changes, RowsWritten = rows, Duration = duration };
        var drift = result.Unrepaired.ToList();
        var detail = $"[{result.From:O}, {result.To:O}): {ranges.Count} ranges, {found.Count(r => r.Verdict == RangeVerdict.Repaired)} repaired, {drift.Count} differing, {found.Count(r => r.Verdict == RangeVerdict.Purged)} purged (history kept), {changes.Count} experiments changed{(totalsDiffering > 0 ? $", {totalsDiffering} totals rows differed from their buckets" : "")}";
        if (drift.Count > 0)
        {
            detail += "; differing: " + string.Join(", ", drift.Take(MaxListedRanges).Select(Describe)) + (drift.Count > MaxListedRanges ? $" and {drift.Count - MaxListedRanges} more" : "");
        }

        if (repairError is not null)
        {
            detail += "; repair failed: " + repairError;
        }

        // The run is recorded even when the repair failed (or was cancelled), so the health check sees the drift.
        await StateStore.ExecuteAsync(connection, null, CommandTimeouts.Seconds(env.Options), repairError is null ? cancellationToken : CancellationToken.None, StateStore.RecordRun(env.Sql, env.Options.CacheName, drift.Count > 0 ? DriftOperation : Operation, now, duration, rows, detail)).ConfigureAwait(false);
        metrics.Completed(Operation, duration, rows);
        if (drift.Count > 0)
        {
            Log.VerifyFoundDrift(logger, drift.Count, detail);
        }
        else
        {
            Log.Verified(logger, result.From, result.To, ranges.Count, found.Count(r => r.Verdict == RangeVerdict.Repaired), found.Count(r => r.Verdict == RangeVerdict.Purged), duration.TotalMilliseconds);
        }

        return result;
    }

    private const int MaxListedRanges = 10;

    internal static string Describe(VerifiedRange r) =>
        $"[{r.From:O}, {r.To:O}) source {r.Source.SessionCount} sessions/{r.Source.HumanMessageCount} messages, cache {(r.After ?? r.Before).SessionCount}/{(r.After ?? r.Before).HumanMessageCount}";

    /// <summary>One range per stored bucket period: months before daily_from, days before hourly_from, hours after.</summary>
    internal static List<BucketRange> Ranges(DateTime from, DateTime to, RetentionCutoffs stored, ReportingTimeZone zone)
    {
        var ranges = new List<BucketRange>();
        var cursor = BucketCalendar.Floor(from, stored.SizeAt(from), zone);
        while (cursor < to)
        {
            var size = stored.SizeAt(cursor);
            var next = BucketCalendar.End(BucketCalendar.Floor(cursor, size, zone), size, zone);
            var boundary = size switch { BucketSize.Month => stored.DailyFrom, BucketSize.Day => stored.HourlyFrom, _ => DateTime.MaxValue };
            next = boundary > cursor && boundary < next ? boundary : next;
            ranges.Add(new BucketRange(cursor, next < to ? next : to, size));
            cursor = next;
        }

        return ranges;
    }

    /// <summary>Adjacent differing ranges become one reconcile.</summary>
    private static IEnumerable<(DateTime From, DateTime To)> Spans(IEnumerable<VerifiedRange> ranges)
    {
        (DateTime From, DateTime To)? current = null;
        foreach (var range in ranges.OrderBy(r => r.From))
        {
            if (current is { } c && c.To == range.From)
            {
                current = (c.From, range.To);
                continue;
            }

            if (current is { } done)
            {
                yield return done;
            }

            current = (range.From, range.To);
        }

        if (current is { } last)
        {
            yield return last;
        }
    }

    private async Task<DateTime?> EarliestAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands = { new NpgsqlBatchCommand(StateSql.EarliestSourceRow(env.Sql, limited: false)), new NpgsqlBatchCommand(VerifySql.EarliestBucket(env.Sql)) },
        };
        DateTime? earliest = null;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0))
            {
                var value = reader.GetDateTime(0);
                earliest = earliest is { } e && e < value ? e : value;
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));

        return earliest;
    }

    private async Task<List<Comparison>> CompareAsync(NpgsqlConnection connection, List<BucketRange> ranges, CancellationToken cancellationToken)
    {
        var result = new List<Comparison>(ranges.Count);
        if (ranges.Count == 0)
        {
            return result;
        }

        if (ranges.Zip(ranges.Skip(1)).Any(pair => pair.First.To != pair.Second.From))
        {
            throw new ArgumentException("Verify compares contiguous ranges only.", nameof(ranges));
        }

        await using var command = new NpgsqlCommand(VerifySql.Compare(env.Sql), connection) { CommandTimeout = CommandTimeouts.Seconds(env.Options) };
        command.Parameters.Add(new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = ranges.Select(r => r.From).ToArray() });
        command.Parameters.AddWithValue("from", ranges[0].From);
        command.Parameters.AddWithValue("to", ranges[^1].To);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var range = ranges[(int)reader.GetInt64(0) - 1];
            var source = new RangeCounts { SessionCount = reader.GetInt64(1), HumanMessageCount = reader.GetInt64(2), LastActivity = reader.IsDBNull(3) ? null : reader.GetDateTime(3) };
            var cache = new RangeCounts { SessionCount = reader.GetInt64(4), HumanMessageCount = reader.GetInt64(5), LastActivity = reader.IsDBNull(6) ? null : reader.GetDateTime(6) };
            result.Add(new Comparison(range, source, cache));
        }

        return result;
    }

    internal sealed record BucketRange(DateTime From, DateTime To, BucketSize Size);

    private sealed record Comparison(BucketRange Range, RangeCounts Source, RangeCounts Cache);
}
