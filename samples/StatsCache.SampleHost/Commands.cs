using System.CommandLine;
using System.Globalization;
using StatsCache.Maintenance;
using StatsCache.Reads;

namespace StatsCache.SampleHost;

/// <summary>
/// Management commands: <c>refresh</c>, <c>compress</c>, <c>backfill [--from yyyy-MM-dd]</c>,
/// <c>reconcile --from yyyy-MM-dd [--to yyyy-MM-dd] [--experiment id …]</c>,
/// <c>verify [--last-day] [--from yyyy-MM-dd] [--no-repair]</c> and
/// <c>show &lt;teamId&gt; &lt;experimentId&gt;</c>. Each runs against the same database as the web app
/// (the throwaway one when no connection string is configured), generating data if it is empty.
/// </summary>
public static class Commands
{
    private static readonly string[] Names = ["refresh", "compress", "backfill", "reconcile", "verify", "show", "--help", "-h", "-?"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args)
    {
        var refresh = new Command("refresh", "Refresh recent buckets (builds the cache on first use).");
        refresh.SetAction((_, cancellationToken) => WithCacheAsync(RefreshAsync, cancellationToken));

        var compress = new Command("compress", "Roll old hourly buckets into days and old days into months.");
        compress.SetAction((_, cancellationToken) => WithCacheAsync(CompressAsync, cancellationToken, buildFirst: true));

        var from = DateOption("--from", "Recompute from this UTC day on (yyyy-MM-dd); default: from the first source row.");
        var backfill = new Command("backfill", "Rebuild buckets from the source, printing progress.") { from };
        backfill.SetAction((parse, cancellationToken) => WithCacheAsync((cache, ct) => BackfillAsync(cache, parse.GetValue(from), ct), cancellationToken));

        var teamId = new Argument<long>("teamId") { Description = "The team." };
        var experimentId = new Argument<long>("experimentId") { Description = "The experiment (chatbot) of that team." };
        var show = new Command("show", "Print the stored buckets of one experiment.") { teamId, experimentId };
        show.SetAction((parse, cancellationToken) => WithCacheAsync((cache, ct) => ShowAsync(cache, parse.GetValue(teamId), parse.GetValue(experimentId), ct), cancellationToken, buildFirst: true));

        var reconcileFrom = DateOption("--from", "Start of the range to repair, a UTC day (yyyy-MM-dd).");
        reconcileFrom.Required = true;
        var reconcileTo = DateOption("--to", "End of the range (exclusive), a UTC day (yyyy-MM-dd); default: now (cut at the watermark).");
        var reconcileExperiments = new Option<long[]>("--experiment")
        {
            Description = "Only these experiments (repeat the option); default: all.",
            AllowMultipleArgumentsPerToken = true,
        };
        var reconcile = new Command("reconcile", "Recompute a range from the source and list the experiments whose statistics changed.") { reconcileFrom, reconcileTo, reconcileExperiments };
        reconcile.SetAction((parse, cancellationToken) => WithCacheAsync(
            (cache, ct) => ReconcileAsync(cache, parse.GetValue(reconcileFrom)!.Value, parse.GetValue(reconcileTo), parse.GetValue(reconcileExperiments), ct),
            cancellationToken,
            buildFirst: true));

        var verifyFrom = DateOption("--from", "Verify from this UTC day on (yyyy-MM-dd); default: everything.");
        var lastDay = new Option<bool>("--last-day") { Description = "Only the last day before the refresh window (cheap)." };
        var noRepair = new Option<bool>("--no-repair") { Description = "Only report the ranges that differ (the health check then shows them)." };
        var verify = new Command("verify", "Compare the source with the cache per stored month/day/hour and repair what differs.") { verifyFrom, lastDay, noRepair };
        verify.SetAction((parse, cancellationToken) => WithCacheAsync(
            (cache, ct) => VerifyAsync(cache, parse.GetValue(verifyFrom), parse.GetValue(lastDay), !parse.GetValue(noRepair), ct),
            cancellationToken,
            buildFirst: true));

        var root = new RootCommand("StatsCache sample host. Without a command it runs the web app on http://127.0.0.1:5080.")
        {
            refresh, compress, backfill, reconcile, verify, show,
        };
        return root.Parse(args).InvokeAsync();
    }

    /// <param name="buildFirst">Build the cache first if it never was (as in a fresh throwaway database), so there is something to act on.</param>
    private static async Task<int> WithCacheAsync(Func<IStatisticsCache, CancellationToken, Task> command, CancellationToken cancellationToken, bool buildFirst = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        // The commands print their own results; keep the library's per-chunk log lines out of the way.
        builder.Logging.AddFilter("StatsCache.Maintenance", LogLevel.Warning);

        string connectionString;
        EmbeddedPostgres? embedded;
        try
        {
            (connectionString, embedded) = await SampleApp.ConnectAsync(builder.Configuration, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        await using (embedded)
        {
            builder.Services.AddSampleServices(connectionString);
            using var host = builder.Build();
            await SampleApp.PrepareDatabaseAsync(host.Services, builder.Configuration, cancellationToken);
            var cache = host.Services.GetRequiredService<IStatisticsCache>();
            if (buildFirst && (await cache.GetStatusAsync(0, cancellationToken)).Watermark is null)
            {
                Console.WriteLine("The cache has never been built in this database: building it first.");
                await RefreshAsync(cache, cancellationToken);
            }

            await command(cache, cancellationToken);
        }

        return 0;
    }

    private static async Task RefreshAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var r = await cache.RefreshAsync(cancellationToken);
        Console.WriteLine(r.Skipped
            ? "refresh: skipped (another instance is running maintenance)"
            : Invariant($"refresh{(r.Initialized ? " (initial build: full backfill)" : "")}: [{r.From:O}, {r.To:O}) wrote {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms"));
    }

    private static async Task CompressAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var r = await cache.CompressAsync(cancellationToken);
        Console.WriteLine(r.Skipped
            ? "compress: skipped (another instance is running maintenance, or the cache was never built)"
            : Invariant($"compress: wrote {r.BucketsWritten:N0} buckets; monthly before {r.DailyFrom:O}, daily before {r.HourlyFrom:O}; {r.Duration.TotalMilliseconds:N0} ms"));
    }

    private static async Task BackfillAsync(IStatisticsCache cache, DateTime? from, CancellationToken cancellationToken)
    {
        Console.WriteLine(from is { } f ? Invariant($"backfill from {f:yyyy-MM-dd} (UTC)") : "backfill from the first source row");
        var bar = new BackfillProgressBar();
        BackfillResult r;
        try
        {
            r = await cache.BackfillAsync(new BackfillRequest(from), bar, cancellationToken);
        }
        finally
        {
            bar.Finish();
        }

        Console.WriteLine(Invariant(
            $"backfill{(r.Resumed ? " (resumed)" : "")}: [{r.From:O}, {r.To:O}) {r.Chunks} chunks, {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms"));
    }

    private static async Task ReconcileAsync(IStatisticsCache cache, DateTime from, DateTime? to, long[]? experimentIds, CancellationToken cancellationToken)
    {
        var request = new ReconcileRequest(from, to ?? DateTime.UtcNow, experimentIds is { Length: > 0 } ? experimentIds : null);
        var r = await cache.ReconcileAsync(request, cancellationToken);
        Console.WriteLine(Invariant(
            $"reconcile: [{r.From:O}, {r.To:O}) {r.Chunks} chunks, {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms; {r.Changes.Count} experiment(s) changed"));
        if (r.Changes.Count == 0)
        {
            return;
        }

        // The range's totals before and after, per changed experiment: what a late or deleted row moved.
        Console.WriteLine(Invariant($"{"team",5} {"experiment",10}  {"sessions",-17} {"participants",-17} {"human msgs",-17}"));
        foreach (var c in r.Changes.OrderBy(c => c.TeamId).ThenBy(c => c.After.ExperimentId))
        {
            Console.WriteLine(Invariant(
                $"{c.TeamId,5} {c.After.ExperimentId,10}  {Change(c.Before.Sessions, c.After.Sessions),-17} {Change(c.Before.Participants, c.After.Participants),-17} {Change(c.Before.HumanMessages, c.After.HumanMessages),-17}"));
        }

        static string Change(long before, long after) => before == after ? Invariant($"{after:N0}") : Invariant($"{before:N0} → {after:N0}");
    }

    private static async Task VerifyAsync(IStatisticsCache cache, DateTime? from, bool lastDay, bool repair, CancellationToken cancellationToken)
    {
        var request = lastDay ? VerifyRequest.LastDay(repair) : new VerifyRequest { From = from, Repair = repair };
        var r = await cache.VerifyAsync(request, cancellationToken);
        Console.WriteLine(Invariant(
            $"verify: [{r.From:O}, {r.To:O}) {r.RangesChecked} ranges in {r.Duration.TotalMilliseconds:N0} ms; {r.Ranges.Count} differed, {r.Changes.Count} experiment(s) changed, {(r.Clean ? "clean" : "drift left")}"));
        foreach (var range in r.Ranges)
        {
            var cached = range.After ?? range.Before;
            Console.WriteLine(Invariant(
                $"  {range.Verdict,-8} {range.Size,-5} [{range.From:yyyy-MM-dd HH:mm}, {range.To:yyyy-MM-dd HH:mm})  source {range.Source.Sessions:N0} sessions / {range.Source.HumanMessages:N0} msgs, cache {range.Before.Sessions:N0} / {range.Before.HumanMessages:N0}{(range.After is null ? "" : Invariant($" → {cached.Sessions:N0} / {cached.HumanMessages:N0}"))}"));
        }
    }

    private static async Task ShowAsync(IStatisticsCache cache, long teamId, long experimentId, CancellationToken cancellationToken)
    {
        var buckets = await cache.GetExperimentBucketsAsync(teamId, experimentId, cancellationToken);
        Console.WriteLine(Invariant($"team {teamId}, experiment {experimentId}: {buckets.Count} buckets"));
        Console.WriteLine(Invariant($"{"size",-7} {"start (UTC)",-16}  {"end (UTC)",-16}  {"sessions",9} {"new part.",9} {"human msgs",10}  last activity"));
        foreach (var b in buckets)
        {
            Console.WriteLine(Invariant(
                $"{b.Size,-7} {b.Start:yyyy-MM-dd HH:mm}  {b.End:yyyy-MM-dd HH:mm}  {b.Sessions,9:N0} {b.NewParticipants,9:N0} {b.HumanMessages,10:N0}  {b.LastActivity:yyyy-MM-dd HH:mm:ss}"));
        }

        // The same totals in each read mode: cached and live differ only by what arrived since the
        // last refresh (or what the host deleted), and real-time should equal live.
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var t = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], mode, cancellationToken))[experimentId];
            Console.WriteLine(Invariant(
                $"totals ({mode,-8}): {t.Sessions:N0} sessions, {t.Participants:N0} participants, {t.HumanMessages:N0} human messages, last activity {t.LastActivity:yyyy-MM-dd HH:mm:ss}"));
        }
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
