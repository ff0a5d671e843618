using System.CommandLine;
using System.Globalization;

namespace StatsCache.SampleHost;

/// <summary>
/// Management commands: <c>status</c>, <c>refresh</c>, <c>compress</c>, <c>backfill [--from yyyy-MM-dd]</c>,
/// <c>reconcile --from yyyy-MM-dd [--to yyyy-MM-dd] [--experiment id …]</c>,
/// <c>verify [--last-day] [--from yyyy-MM-dd] [--no-repair]</c> and
/// <c>show &lt;teamId&gt; &lt;experimentId&gt;</c>. Each acts on the same database as the web app: the
/// configured connection string (<c>--connection</c>, or <c>ConnectionStrings__Default</c>), else the
/// sample's own cluster in its data directory (<c>--data-dir</c>, default
/// <see cref="EmbeddedPostgres.DefaultDirectory"/>), attached to while the web app runs, started for the
/// command (and stopped after it) while it does not.
/// </summary>
public static class Commands
{
    /// <summary>
    /// Whether the arguments ask for a command rather than the web app: the first one is a word (a
    /// command name, or a typo of one: that prints the usage) or asks for help. Options such as
    /// <c>--urls …</c> or <c>--Key=value</c> and configuration such as <c>Key=value</c> go to the web app.
    /// </summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0
        && (args[0] is "--help" or "-h" or "-?" or "help" or "--version"
            || (!args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal)));

    public static Task<int> RunAsync(string[] args)
    {
        if (args is ["help", ..])
        {
            args = ["--help", .. args[1..]];
        }

        var connection = new Option<string?>("--connection")
        {
            Description = "Npgsql connection string of the database to act on; default: ConnectionStrings__Default, else the sample's own PostgreSQL.",
            Recursive = true,
        };
        var dataDirectory = new Option<string?>("--data-dir")
        {
            Description = $"Data directory of the sample's own PostgreSQL (Sample__DataDirectory); default: {EmbeddedPostgres.DefaultDirectory}.",
            Recursive = true,
        };

        var status = new Command("status", "Print the cache's state: watermark and its lag, buckets, recent runs.");
        status.SetAction((parse, cancellationToken) => Act(parse, StatusAsync, cancellationToken));

        var refresh = new Command("refresh", "Refresh recent buckets (builds the cache on first use).");
        refresh.SetAction((parse, cancellationToken) => Act(parse, RefreshAsync, cancellationToken));

        var compress = new Command("compress", "Roll old hourly buckets into days and old days into months.");
        compress.SetAction((parse, cancellationToken) => Act(parse, CompressAsync, cancellationToken, buildFirst: true));

        var from = DateOption("--from", "Recompute from this UTC day on (yyyy-MM-dd); default: from the first source row.");
        var chunkRows = new Option<long>("--chunk-rows")
        {
            Description = "Source rows per committed chunk (the progress bar moves once a chunk); default 20,000.",
            DefaultValueFactory = _ => 20_000,
        };
        var backfill = new Command("backfill", "Rebuild buckets from the source, with a progress bar.") { from, chunkRows };
        backfill.SetAction((parse, cancellationToken) => Act(
            parse, (cache, ct) => BackfillAsync(cache, parse.GetValue(from), ct), cancellationToken, maxRowsPerChunk: Math.Max(1_000, parse.GetValue(chunkRows))));

        var teamId = new Argument<long>("teamId") { Description = "The team." };
        var experimentId = new Argument<long>("experimentId") { Description = "The experiment (chatbot) of that team." };
        var show = new Command("show", "Print the stored buckets of one experiment and its totals in each read mode.") { teamId, experimentId };
        show.SetAction((parse, cancellationToken) => Act(parse, (cache, ct) => ShowAsync(cache, parse.GetValue(teamId), parse.GetValue(experimentId), ct), cancellationToken, buildFirst: true));

        var reconcileFrom = DateOption("--from", "Start of the range to repair, a UTC day (yyyy-MM-dd).");
        reconcileFrom.Required = true;
        var reconcileTo = DateOption("--to", "End of the range (exclusive), a UTC day (yyyy-MM-dd); default: now (cut at the watermark).");
        var reconcileExperiments = new Option<long[]>("--experiment")
        {
            Description = "Only these experiments (repeat the option); default: all.",
            AllowMultipleArgumentsPerToken = true,
        };
        var reconcile = new Command("reconcile", "Recompute a range from the source and list the experiments whose statistics changed.") { reconcileFrom, reconcileTo, reconcileExperiments };
        reconcile.SetAction((parse, cancellationToken) => Act(
            parse,
            (cache, ct) => ReconcileAsync(cache, parse.GetValue(reconcileFrom)!.Value, parse.GetValue(reconcileTo), parse.GetValue(reconcileExperiments), ct),
            cancellationToken,
            buildFirst: true));

        var verifyFrom = DateOption("--from", "Verify from this UTC day on (yyyy-MM-dd); default: everything.");
        var lastDay = new Option<bool>("--last-day") { Description = "Only the last day before the refresh window (cheap)." };
        var noRepair = new Option<bool>("--no-repair") { Description = "Only report the ranges that differ (the health check then shows them)." };
        var verify = new Command("verify", "Compare the source with the cache per stored month/day/hour and repair what differs; exit code 3 if drift is left.") { verifyFrom, lastDay, noRepair };
        verify.SetAction((parse, cancellationToken) => Act(
            parse,
            (cache, ct) => VerifyAsync(cache, parse.GetValue(verifyFrom), parse.GetValue(lastDay), !parse.GetValue(noRepair), ct),
            cancellationToken,
            buildFirst: true));

        var root = new RootCommand(
            "StatsCache sample host. Without a command it runs the web app on http://127.0.0.1:5080; a command acts on the same database " +
            "(the running sample's, found through its data directory, or --connection) and exits.")
        {
            connection, dataDirectory, status, refresh, compress, backfill, reconcile, verify, show,
        };
        return root.Parse(args).InvokeAsync();

        // Every command connects the same way: --connection, else ConnectionStrings__Default, else the sample's own cluster (--data-dir).
        Task<int> Act(ParseResult parse, Func<IStatisticsCache, CancellationToken, Task<int>> command, CancellationToken cancellationToken, bool buildFirst = false, long? maxRowsPerChunk = null) =>
            WithCacheAsync(parse.GetValue(connection), parse.GetValue(dataDirectory), command, buildFirst, maxRowsPerChunk, cancellationToken);
    }

    /// <param name="buildFirst">Build the cache first if it never was (as in a fresh database), so there is something to act on.</param>
    /// <param name="maxRowsPerChunk">Overrides <see cref="StatisticsCacheOptions.MaxRowsPerChunk"/> (smaller chunks: a smoother progress bar).</param>
    private static async Task<int> WithCacheAsync(
        string? connection, string? dataDirectory, Func<IStatisticsCache, CancellationToken, Task<int>> command, bool buildFirst, long? maxRowsPerChunk, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        // The commands print their own results; keep the library's per-chunk log lines out of the way.
        builder.Logging.AddFilter("StatsCache", LogLevel.Warning);
        builder.Logging.AddFilter("StatsCache.SampleHost.DataGenerator", LogLevel.Information);
        var overrides = new Dictionary<string, string?>();
        if (connection is { Length: > 0 })
        {
            overrides["ConnectionStrings:Default"] = connection;
        }

        if (dataDirectory is { Length: > 0 })
        {
            overrides["Sample:DataDirectory"] = dataDirectory;
        }

        builder.Configuration.AddInMemoryCollection(overrides);

        string connectionString;
        EmbeddedPostgres? embedded;
        try
        {
            (connectionString, embedded) = await SampleApp.ConnectAsync(builder.Configuration, Console.WriteLine, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        await using (embedded)
        {
            builder.Services.AddSampleServices(connectionString, builder.Configuration);
            if (maxRowsPerChunk is { } rows)
            {
                builder.Services.PostConfigure<StatisticsCacheOptions>(o => o.MaxRowsPerChunk = rows);
            }

            using var host = builder.Build();
            try
            {
                await SampleApp.PrepareDatabaseAsync(host.Services, builder.Configuration, cancellationToken);
            }
            catch (Npgsql.NpgsqlException ex)
            {
                await Console.Error.WriteLineAsync($"Cannot reach the database: {ex.Message}");
                return 1;
            }

            var cache = host.Services.GetRequiredService<IStatisticsCache>();
            if (buildFirst && (await cache.GetStatusAsync(0, cancellationToken)).Watermark is null)
            {
                Console.WriteLine("The cache has never been built in this database: building it first.");
                await RefreshAsync(cache, cancellationToken);
            }

            return await command(cache, cancellationToken);
        }
    }

    private static async Task<int> StatusAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var s = await cache.GetStatusAsync(10, cancellationToken);
        Console.WriteLine(s.Watermark is { } w
            ? Invariant($"watermark: {w:yyyy-MM-dd HH:mm:ss} UTC ({Pages.Html.Duration(s.WatermarkLag ?? TimeSpan.Zero)} behind now)")
            : "watermark: never built (run refresh, or start the web app)");
        Console.WriteLine(Invariant($"buckets: {string.Join(", ", s.BucketCounts.OrderBy(c => c.Key).Select(c => Invariant($"{c.Value:N0} {c.Key.ToString().ToLowerInvariant()}")))}; {s.SessionRows:N0} session rows{(s.BackfillInProgress ? "; a backfill is in progress" : "")}"));
        Console.WriteLine("recent runs:");
        foreach (var run in s.RecentRuns)
        {
            Console.WriteLine(Invariant($"  {run.StartedAt:yyyy-MM-dd HH:mm:ss}  {run.Operation,-16} {run.Duration.TotalMilliseconds,8:N0} ms {run.RowsWritten,9:N0} rows  {Pages.Html.Readable(run.Detail)}"));
        }

        return 0;
    }

    private static async Task<int> RefreshAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var r = await cache.RefreshAsync(cancellationToken);
        Console.WriteLine(r.Skipped
            ? "refresh: skipped (another instance is running maintenance)"
            : Invariant($"refresh{(r.Initialized ? " (initial build: full backfill)" : "")}: [{r.From:yyyy-MM-dd HH:mm:ss}, {r.To:yyyy-MM-dd HH:mm:ss}) UTC, wrote {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms"));
        return 0;
    }

    private static async Task<int> CompressAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var r = await cache.CompressAsync(cancellationToken);
        Console.WriteLine(r.Skipped
            ? "compress: skipped (another instance is running maintenance, or the cache was never built)"
            : Invariant($"compress: wrote {r.BucketsWritten:N0} buckets; monthly before {r.DailyFrom:yyyy-MM-dd HH:mm}, daily before {r.HourlyFrom:yyyy-MM-dd HH:mm} UTC; {r.Duration.TotalMilliseconds:N0} ms"));
        return 0;
    }

    private static async Task<int> BackfillAsync(IStatisticsCache cache, DateTime? from, CancellationToken cancellationToken)
    {
        Console.WriteLine(from is { } f ? Invariant($"backfill from {f:yyyy-MM-dd} (UTC)") : "backfill from the first source row");
        var r = await BackfillProgressBar.RunAsync(progress => cache.BackfillAsync(new BackfillRequest { From = from }, progress, cancellationToken));
        Console.WriteLine(Invariant(
            $"backfill{(r.Resumed ? " (resumed)" : "")}: [{r.From:yyyy-MM-dd HH:mm}, {r.To:yyyy-MM-dd HH:mm}) UTC, {r.Chunks} chunks, {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms"));
        return 0;
    }

    private static async Task<int> ReconcileAsync(IStatisticsCache cache, DateTime from, DateTime? to, long[]? experimentIds, CancellationToken cancellationToken)
    {
        var request = new ReconcileRequest { From = from, To = to ?? DateTime.UtcNow, ExperimentIds = experimentIds is { Length: > 0 } ? experimentIds : null };
        var r = await cache.ReconcileAsync(request, cancellationToken);
        Console.WriteLine(Invariant(
            $"reconcile: [{r.From:yyyy-MM-dd HH:mm}, {r.To:yyyy-MM-dd HH:mm}) UTC, {r.Chunks} chunks, {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms; {r.Changes.Count} experiment(s) changed"));
        if (r.Changes.Count == 0)
        {
            return 0;
        }

        // The range's totals before and after, per changed experiment: what a late or deleted row moved.
        Console.WriteLine(Invariant($"{"team",5} {"experiment",10}  {"sessions",-17} {"participants",-17} {"human msgs",-17}"));
        foreach (var c in r.Changes.OrderBy(c => c.TeamId).ThenBy(c => c.ExperimentId))
        {
            Console.WriteLine(Invariant(
                $"{c.TeamId,5} {c.ExperimentId,10}  {Change(c.Before.SessionCount, c.After.SessionCount),-17} {Change(c.Before.ParticipantCount, c.After.ParticipantCount),-17} {Change(c.Before.HumanMessageCount, c.After.HumanMessageCount),-17}"));
        }

        return 0;

        static string Change(long before, long after) => before == after ? Invariant($"{after:N0}") : Invariant($"{before:N0} → {after:N0}");
    }

    private static async Task<int> VerifyAsync(IStatisticsCache cache, DateTime? from, bool lastDay, bool repair, CancellationToken cancellationToken)
    {
        var request = lastDay ? VerifyRequest.LastDay(repair) : new VerifyRequest { From = from, Repair = repair };
        var r = await cache.VerifyAsync(request, cancellationToken);
        Console.WriteLine(Invariant(
            $"verify: [{r.From:yyyy-MM-dd HH:mm}, {r.To:yyyy-MM-dd HH:mm}) UTC, {r.RangesChecked} ranges in {r.Duration.TotalMilliseconds:N0} ms; {r.Ranges.Count} differed, {r.Changes.Count} experiment(s) changed, {(r.Clean ? "clean" : "drift left")}"));
        foreach (var range in r.Ranges)
        {
            var cached = range.After ?? range.Before;
            Console.WriteLine(Invariant(
                $"  {range.Verdict,-8} {range.Size,-5} [{range.From:yyyy-MM-dd HH:mm}, {range.To:yyyy-MM-dd HH:mm})  source {range.Source.SessionCount:N0} sessions / {range.Source.HumanMessageCount:N0} msgs, cache {range.Before.SessionCount:N0} / {range.Before.HumanMessageCount:N0}{(range.After is null ? "" : Invariant($" → {cached.SessionCount:N0} / {cached.HumanMessageCount:N0}"))}"));
        }

        // Drift left in place (--no-repair, or a repair that did not settle) is an exit code a script can test.
        return r.Clean ? 0 : 3;
    }

    private static async Task<int> ShowAsync(IStatisticsCache cache, long teamId, long experimentId, CancellationToken cancellationToken)
    {
        var totalsByMode = await cache.GetExperimentTotalsAsync(teamId, [experimentId], ReadMode.Live, cancellationToken);
        var buckets = await cache.GetExperimentBucketsAsync(teamId, experimentId, cancellationToken);
        if (buckets.Count == 0 && totalsByMode[experimentId].SessionCount == 0)
        {
            await Console.Error.WriteLineAsync(Invariant($"show: team {teamId} has no experiment {experimentId} with any activity (try: show 1 1)."));
            return 2;
        }

        Console.WriteLine(Invariant($"team {teamId}, experiment {experimentId}: {buckets.Count} buckets"));
        Console.WriteLine(Invariant($"{"size",-7} {"start (UTC)",-16}  {"end (UTC)",-16}  {"sessions",9} {"new part.",9} {"human msgs",10}  last activity"));
        foreach (var b in buckets)
        {
            Console.WriteLine(Invariant(
                $"{b.Size,-7} {b.Start:yyyy-MM-dd HH:mm}  {b.End:yyyy-MM-dd HH:mm}  {b.SessionCount,9:N0} {b.NewParticipantCount,9:N0} {b.HumanMessageCount,10:N0}  {b.LastActivity:yyyy-MM-dd HH:mm:ss}"));
        }

        // The same totals in each read mode: cached and live differ only by what arrived since the
        // last refresh (or what the host deleted), and real-time should equal live.
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var t = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], mode, cancellationToken))[experimentId];
            Console.WriteLine(Invariant(
                $"totals ({mode,-8}): {t.SessionCount:N0} sessions, {t.ParticipantCount:N0} participants, {t.HumanMessageCount:N0} human messages, last activity {t.LastActivity:yyyy-MM-dd HH:mm:ss}"));
        }

        return 0;
    }

    /// <summary>An option taking a UTC day, yyyy-MM-dd.</summary>
    private static Option<DateTime?> DateOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
            {
                return day;
            }

            result.AddError($"{name}: '{text}' is not a date like 2025-01-31.");
            return null;
        },
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
