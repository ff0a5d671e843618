using System.CommandLine;
using System.Globalization;
using StatsCache.Maintenance;

namespace StatsCache.SampleHost;

/// <summary>
/// Management commands: <c>refresh</c>, <c>compress</c>, <c>backfill [--from yyyy-MM-dd]</c> and
/// <c>show &lt;teamId&gt; &lt;experimentId&gt;</c>. Each runs against the same database as the web app
/// (the throwaway one when no connection string is configured), generating data if it is empty.
/// </summary>
public static class Commands
{
    private static readonly string[] Names = ["refresh", "compress", "backfill", "show", "--help", "-h", "-?"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args)
    {
        var refresh = new Command("refresh", "Refresh recent buckets (builds the cache on first use).");
        refresh.SetAction((_, cancellationToken) => WithCacheAsync(RefreshAsync, cancellationToken));

        var compress = new Command("compress", "Roll old hourly buckets into days and old days into months.");
        compress.SetAction((_, cancellationToken) => WithCacheAsync(CompressAsync, cancellationToken, buildFirst: true));

        var from = new Option<DateTime?>("--from")
        {
            Description = "Recompute from this UTC day on (yyyy-MM-dd); default: from the first source row.",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
                {
                    return day;
                }

                result.AddError($"--from: '{text}' is not a date like 2025-01-31.");
                return null;
            },
        };
        var backfill = new Command("backfill", "Rebuild buckets from the source, printing progress.") { from };
        backfill.SetAction((parse, cancellationToken) => WithCacheAsync((cache, ct) => BackfillAsync(cache, parse.GetValue(from), ct), cancellationToken));

        var teamId = new Argument<long>("teamId") { Description = "The team." };
        var experimentId = new Argument<long>("experimentId") { Description = "The experiment (chatbot) of that team." };
        var show = new Command("show", "Print the stored buckets of one experiment.") { teamId, experimentId };
        show.SetAction((parse, cancellationToken) => WithCacheAsync((cache, ct) => ShowAsync(cache, parse.GetValue(teamId), parse.GetValue(experimentId), ct), cancellationToken, buildFirst: true));

        var root = new RootCommand("StatsCache sample host. Without a command it runs the web app on http://127.0.0.1:5080.")
        {
            refresh, compress, backfill, show,
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
        var r = await cache.BackfillAsync(new BackfillRequest(from), new ConsoleProgress(), cancellationToken);
        Console.WriteLine(Invariant(
            $"backfill{(r.Resumed ? " (resumed)" : "")}: [{r.From:O}, {r.To:O}) {r.Chunks} chunks, {r.RowsWritten:N0} rows in {r.Duration.TotalMilliseconds:N0} ms"));
    }

    private static async Task ShowAsync(IStatisticsCache cache, long teamId, long experimentId, CancellationToken cancellationToken)
    {
        var totals = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], cancellationToken))[experimentId];
        var buckets = await cache.GetExperimentBucketsAsync(teamId, experimentId, cancellationToken);
        Console.WriteLine(Invariant($"team {teamId}, experiment {experimentId}: {buckets.Count} buckets"));
        Console.WriteLine(Invariant($"{"size",-7} {"start (UTC)",-16}  {"end (UTC)",-16}  {"sessions",9} {"new part.",9} {"human msgs",10}  last activity"));
        foreach (var b in buckets)
        {
            Console.WriteLine(Invariant(
                $"{b.Size,-7} {b.Start:yyyy-MM-dd HH:mm}  {b.End:yyyy-MM-dd HH:mm}  {b.Sessions,9:N0} {b.NewParticipants,9:N0} {b.HumanMessages,10:N0}  {b.LastActivity:yyyy-MM-dd HH:mm:ss}"));
        }

        Console.WriteLine(Invariant(
            $"totals: {totals.Sessions:N0} sessions, {totals.Participants:N0} participants, {totals.HumanMessages:N0} human messages, last activity {totals.LastActivity:yyyy-MM-dd HH:mm:ss}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Prints one line per committed chunk, synchronously (Progress&lt;T&gt; would post them out of order).</summary>
    private sealed class ConsoleProgress : IProgress<BackfillProgress>
    {
        private const int Width = 30;

        public void Report(BackfillProgress value)
        {
            var filled = (int)Math.Round(value.Fraction * Width);
            Console.WriteLine(Invariant(
                $"[{new string('#', filled)}{new string('.', Width - filled)}] {value.Fraction,4:P0}  chunk {value.ChunksDone}/{value.ChunksTotal}, done until {value.DoneUntil:yyyy-MM-dd HH:mm}, {value.RowsWritten:N0} rows"));
        }
    }
}
