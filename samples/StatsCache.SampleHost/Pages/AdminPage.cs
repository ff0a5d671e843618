using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StatsCache.SampleHost.Data;
using static StatsCache.SampleHost.Pages.Html;

namespace StatsCache.SampleHost.Pages;

/// <summary>
/// <c>/admin</c> and its sub-pages: the cache's state (one <see cref="IStatisticsCache{TTeamId, TExperimentId, TSessionId}.GetStatusAsync"/>
/// call), charts of refresh durations and of bucket counts over time, the recent runs and verify
/// results, the options; <c>/admin/compare?team=N</c> puts cached, real-time and live totals side by
/// side with their timings; <c>/admin/teams/{t}/experiments/{e}</c> lists one chatbot's buckets;
/// <c>POST /admin/verify</c> runs a verify and shows what it found.
/// </summary>
internal static class AdminPage
{
    private const int Runs = 200;

    public static async Task<IResult> RenderAsync(
        IStatisticsCache cache, SampleDbContext db, StatusHistory history, TrafficSimulator simulator,
        IOptions<StatisticsCacheOptions> options, IOptions<HostedMaintenanceOptions> maintenance, IConfiguration configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        var read = Stopwatch.StartNew();
        var status = await cache.GetStatusAsync(Runs, cancellationToken);
        read.Stop();
        var now = time.GetUtcNow().UtcDateTime;
        history.Add(new StatusSample(now, status.BucketCounts, status.SessionRows, status.WatermarkLag));
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Id).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        var o = options.Value;

        var html = new StringBuilder("<h1>Statistics cache</h1>");
        Freshness.AppendBanner(html, ReadMode.Cached, status, now, read.Elapsed, simulator, _ => "/admin");
        html.Append("<table id=state>");
        Row(html, "Watermark (source rows before it are counted)", WhenAgo(status.Watermark, now));
        Row(html, "Watermark lag", status.WatermarkLag is { } lag ? E(Duration(lag)) : "never built");
        Row(html, "Monthly buckets before", When(status.DailyFrom));
        Row(html, "Hourly buckets from", When(status.HourlyFrom));
        foreach (var (size, count) in status.BucketCounts.OrderBy(c => c.Key))
        {
            Row(html, $"{size} buckets", N(count), numeric: true);
        }

        Row(html, "Session rows", N(status.SessionRows), numeric: true);
        Row(html, "Backfill in progress", status.BackfillInProgress ? "yes" : "no");
        html.Append("</table>");

        html.Append("<h2>Actions</h2><p>Compare cached with live numbers: ");
        html.AppendJoin(" · ", teams.Select(t => string.Create(CultureInfo.InvariantCulture, $"<a href=\"/admin/compare?team={t.Id}\">{E(t.Name)}</a>")));
        html.Append("</p><form method=post action=\"/admin/verify\" class=inline><button>Verify the whole cache against the source now</button></form> ");
        html.Append("<span class=note>(per stored month, day and hour; repairs what differs; the hosted maintenance verifies the last day on its schedule)</span>");
        html.Append("<form method=get action=\"/admin/buckets\"><p>A chatbot's buckets: team <input name=team size=3 value=1> chatbot <input name=experiment size=4 value=1> <button>Show</button></p></form>");

        AppendRefreshChart(html, status.RecentRuns);
        AppendBucketChart(html, history.Samples);

        var verifies = status.RecentRuns.Where(r => r.Operation.StartsWith("verify", StringComparison.Ordinal)).Take(10).ToList();
        html.Append("<h2>Verify results</h2>");
        if (verifies.Count == 0)
        {
            html.Append("<p class=note>No verify has run yet: use the button above, run <code>verify</code>, or wait for the hosted maintenance.</p>");
        }
        else
        {
            html.Append("<table id=verifies><tr><th>Started</th><th>Result</th><th class=n>Duration</th><th class=n>Rows repaired</th><th>Detail</th></tr>");
            foreach (var run in verifies)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{WhenAgo(run.StartedAt, now)}</td><td>{(run.Operation == "verify" ? "clean" : E(run.Operation))}</td><td class=n>{run.Duration.TotalMilliseconds:N0} ms</td><td class=n>{N(run.RowsWritten)}</td><td>{E(Readable(run.Detail))}</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append("<h2>Recent runs</h2><table id=runs><tr><th>Operation</th><th>Started</th><th class=n>Duration</th><th class=n>Rows written</th><th>Detail</th></tr>");
        var initialBuild = InitialBuild(status.RecentRuns);
        foreach (var run in status.RecentRuns.Take(30))
        {
            var operation = ReferenceEquals(run, initialBuild) ? "initial build (backfill)" : run.Operation;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(operation)}</td><td>{WhenAgo(run.StartedAt, now)}</td><td class=n>{run.Duration.TotalMilliseconds:N0} ms</td><td class=n>{N(run.RowsWritten)}</td><td>{E(Readable(run.Detail))}</td></tr>");
        }

        html.Append("</table>");

        // What the numbers above mean depends on these: which zone's midnights start a day, whether
        // deleted source rows stay counted, how far back each refresh re-reads.
        html.Append("<h2>Configuration</h2><table>");
        Row(html, "Cache name", E(o.CacheName));
        Row(html, "Reporting time zone (days, months)", E(o.TimeZone));
        Row(html, "Source deletions", E(o.Deletions.ToString()));
        Row(html, "Change tracking", o.ChangeTracking ? "on" : "off");
        Row(html, "Default read mode", E(o.DefaultReadMode.ToString()));
        Row(html, "Refresh look-back", E(Duration(o.LookBack)));
        Row(html, "Hourly buckets kept for", E(Duration(o.HourlyRetention)));
        Row(html, "Daily buckets kept for", E(Duration(o.DailyRetention)));
        var schedule = maintenance.Value;
        if (configuration.GetValue("Sample:HostedMaintenance", true))
        {
            Row(html, "Refresh every (hosted maintenance)", E(Duration(schedule.RefreshInterval)));
            Row(html, "Compress every (hosted maintenance)", E(Duration(schedule.CompressInterval)));
            Row(html, "Verify the last day every (hosted maintenance)", schedule.VerifyInterval is { } verify && verify > TimeSpan.Zero ? E(Duration(verify)) : "never");
        }
        else
        {
            Row(html, "Hosted maintenance", "off (Sample:HostedMaintenance): refresh with the commands");
        }

        var simulation = simulator.Options;
        Row(html, "Traffic simulator (Sample:Simulator)", simulation.Enabled
            ? E(string.Create(CultureInfo.InvariantCulture, $"a write every {Duration(simulation.Interval)}: up to {simulation.MaxSessions} sessions and {simulation.MaxMessages} messages, a late one (up to {Duration(simulation.MaxLateness)}) with chance {simulation.LateChance:P0}"))
            : "off");
        html.Append("</table>");
        return Page("Statistics cache", html);
    }

    /// <summary>The cache's first build: the oldest run when it is a backfill and no refresh came before it (the first refresh records its full backfill as one).</summary>
    private static RunInfo? InitialBuild(IReadOnlyList<RunInfo> runs) =>
        runs.Count > 0 && runs[^1].Operation == "backfill" && runs.Count < Runs ? runs[^1] : null;

    /// <summary>The duration of each refresh over time, as bars on one scale (failed runs in red).</summary>
    private static void AppendRefreshChart(StringBuilder html, IReadOnlyList<RunInfo> runs)
    {
        var refreshes = runs.Where(r => r.Operation.StartsWith("refresh", StringComparison.Ordinal)).OrderBy(r => r.StartedAt).ToList();
        html.Append("<h2>Refresh durations</h2>");
        if (refreshes.Count == 0)
        {
            html.Append("<p class=note>No refresh has run yet.</p>");
            return;
        }

        const int Width = 600, Height = 100, Left = 40, Bottom = 14;
        var max = Math.Max(1, refreshes.Max(r => r.Duration.TotalMilliseconds));
        var barWidth = Math.Max(1.0, Math.Min(12, (Width - Left) / (double)refreshes.Count) - 1);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg id=refresh-chart class=chart width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"Durations of the last {refreshes.Count} refreshes, at most {max:N0} ms\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width}\" y2=\"{Height - Bottom}\"/><text x=\"0\" y=\"10\">{max:N0} ms</text><text x=\"0\" y=\"{Height - Bottom}\">0</text>");
        for (var i = 0; i < refreshes.Count; i++)
        {
            var r = refreshes[i];
            var h = r.Duration.TotalMilliseconds / max * (Height - Bottom - 4);
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect{(r.Operation == "refresh" ? "" : " class=slow")} x=\"{Left + (i * (barWidth + 1)):F1}\" y=\"{Height - Bottom - h:F1}\" width=\"{barWidth:F1}\" height=\"{Math.Max(0.5, h):F1}\"><title>{E(string.Create(CultureInfo.InvariantCulture, $"{r.StartedAt:HH:mm:ss} UTC: {r.Operation}, {r.Duration.TotalMilliseconds:N0} ms, {r.RowsWritten:N0} rows"))}</title></rect>");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Left}\" y=\"{Height - 2}\">{refreshes[0].StartedAt:HH:mm} UTC</text><text x=\"{Width - 60}\" y=\"{Height - 2}\">{refreshes[^1].StartedAt:HH:mm} UTC</text></svg>");
        html.Append(svg).Append(CultureInfo.InvariantCulture,
            $"<p class=note>{(refreshes.Count == 1 ? "One refresh so far" : $"The last {refreshes.Count} refreshes, oldest left")}: median {Median(refreshes.Select(r => r.Duration.TotalMilliseconds)):N0} ms, slowest {max:N0} ms.</p>");
    }

    /// <summary>Bucket counts by size over time (from the sample's in-memory <see cref="StatusHistory"/>): one line per size, on a shared scale.</summary>
    private static void AppendBucketChart(StringBuilder html, IReadOnlyList<StatusSample> samples)
    {
        html.Append("<h2>Buckets by size over time</h2>");
        if (samples.Count < 2)
        {
            html.Append("<p class=note>Too few samples yet: the sample looks at the bucket counts every minute and on each visit of this page.</p>");
            return;
        }

        const int Width = 600, Height = 120, Left = 40, Bottom = 14;
        var sizes = samples.SelectMany(s => s.BucketCounts.Keys).Distinct().Order().ToList();
        var max = Math.Max(1, samples.SelectMany(s => s.BucketCounts.Values).DefaultIfEmpty(0).Max());
        var from = samples[0].At;
        var span = Math.Max(1, (samples[^1].At - from).TotalSeconds);
        string[] colours = ["#2563eb", "#16a34a", "#9333ea", "#ea580c"];
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=bucket-chart class=chart width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"Bucket counts by size over time\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width}\" y2=\"{Height - Bottom}\"/><text x=\"0\" y=\"10\">{max:N0}</text><text x=\"0\" y=\"{Height - Bottom}\">0</text>");
        for (var i = 0; i < sizes.Count; i++)
        {
            var size = sizes[i];
            svg.Append(CultureInfo.InvariantCulture, $"<polyline style=\"stroke:{colours[i % colours.Length]}\" points=\"");
            svg.AppendJoin(' ', samples.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{Left + ((s.At - from).TotalSeconds / span * (Width - Left)):F1},{Height - Bottom - (s.BucketCounts.GetValueOrDefault(size) / (double)max * (Height - Bottom - 4)):F1}")));
            svg.Append("\"/>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 2}\">{from:HH:mm} UTC</text><text x=\"{Width - 60}\" y=\"{Height - 2}\">{samples[^1].At:HH:mm} UTC</text></svg>");
        html.Append(svg).Append("<p class=note>");
        html.AppendJoin(" · ", sizes.Select((size, i) => string.Create(CultureInfo.InvariantCulture,
            $"<span style=\"color:{colours[i % colours.Length]}\">■</span> {size}: {samples[^1].BucketCounts.GetValueOrDefault(size):N0} now")));
        html.Append(". Hourly buckets grow with traffic and roll into days when compress runs; days roll into months.</p>");
    }

    /// <summary><c>/admin/compare?team=N</c>: the team's chatbots in each read mode, side by side, with how long each read took.</summary>
    public static async Task<IResult> CompareAsync(string? team, SampleDbContext db, IStatisticsCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!long.TryParse(team, NumberStyles.None, CultureInfo.InvariantCulture, out var teamId)
            || await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken) is not { } teamName)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such team", $"'{team}' is not a team: pick one on the admin page.", "/admin", "Back to the cache admin");
        }

        var names = await db.Experiments.AsNoTracking().Where(e => e.TeamId == teamId).OrderBy(e => e.Id).ToDictionaryAsync(e => e.Id, e => e.Name, cancellationToken);
        var reads = new List<(ReadMode Mode, IReadOnlyDictionary<long, ExperimentStats> Totals, TimeSpan Took)>();
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var stopwatch = Stopwatch.StartNew();
            var totals = await cache.GetExperimentTotalsAsync(teamId, names.Keys, mode, cancellationToken);
            reads.Add((mode, totals, stopwatch.Elapsed));
        }

        var (cached, realTime, live) = (reads[0].Totals, reads[1].Totals, reads[2].Totals);
        var differ = names.Keys.Count(id => !Same(cached[id], live[id]));
        var realTimeDiffer = names.Keys.Count(id => !Same(realTime[id], live[id]));
        var status = await cache.GetStatusAsync(0, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"/admin\">‹ Back to the cache admin</a></p><h1>{E(teamName)}: cached vs live</h1>");
        html.Append("<table id=timings><tr><th>Read mode</th><th class=n>Time for all chatbots of the team</th><th>What it reads</th></tr>");
        foreach (var (mode, _, took) in reads)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{mode}</td><td class=n data-ms=\"{took.TotalMilliseconds:F1}\">{took.TotalMilliseconds:N1} ms</td><td>{mode switch
            {
                ReadMode.Cached => "the cache's buckets, up to the watermark " + WhenAgo(status.Watermark, now),
                ReadMode.RealTime => "the cache plus the source rows since the watermark",
                _ => "the source tables alone, as correlated sub-queries would",
            }}</td></tr>");
        }

        html.Append(CultureInfo.InvariantCulture,
            $"</table><p id=compare-summary>{differ} of {names.Count} chatbots differ between cached and live (what arrived since the last refresh); real-time and live differ for {realTimeDiffer}.</p>");
        html.Append("<table id=compare><tr><th>Chatbot</th><th class=n>Sessions cached</th><th class=n>live</th><th class=n>Participants cached</th><th class=n>live</th><th class=n>Human messages cached</th><th class=n>real-time</th><th class=n>live</th></tr>");
        foreach (var (id, name) in names)
        {
            var (c, r, l) = (cached[id], realTime[id], live[id]);
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"/admin/teams/{teamId}/experiments/{id}\">{E(name)}</a></td>{Cell(c.SessionCount, l.SessionCount)}<td class=n>{N(l.SessionCount)}</td>{Cell(c.ParticipantCount, l.ParticipantCount)}<td class=n>{N(l.ParticipantCount)}</td>{Cell(c.HumanMessageCount, l.HumanMessageCount)}{Cell(r.HumanMessageCount, l.HumanMessageCount, "bad")}<td class=n>{N(l.HumanMessageCount)}</td></tr>");
        }

        html.Append("</table><p class=note>Yellow: cached differs from live, as it may until the next refresh. Red: real-time differs from live, which only a late row does (stamped before the watermark, written after it) until the next refresh's look-back counts it.</p>");
        return Page($"{teamName}: cached vs live", html);

        static bool Same(ExperimentStats a, ExperimentStats b) => a.SessionCount == b.SessionCount && a.ParticipantCount == b.ParticipantCount && a.HumanMessageCount == b.HumanMessageCount;
        static string Cell(long value, long live, string css = "diff") =>
            string.Create(CultureInfo.InvariantCulture, $"<td class=\"n{(value == live ? "" : " " + css)}\">{N(value)}</td>");
    }

    /// <summary><c>/admin/teams/{t}/experiments/{e}</c>: one chatbot's stored buckets and its totals in each read mode.</summary>
    public static async Task<IResult> BucketsAsync(long teamId, long experimentId, SampleDbContext db, IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var name = await db.Experiments.AsNoTracking().Where(e => e.Id == experimentId && e.TeamId == teamId).Select(e => e.Name).FirstOrDefaultAsync(cancellationToken);
        if (name is null)
        {
            return ErrorPage(StatusCodes.Status404NotFound, "No such chatbot",
                string.Create(CultureInfo.InvariantCulture, $"Team {teamId} has no chatbot {experimentId}."), "/admin", "Back to the cache admin");
        }

        var buckets = await cache.GetExperimentBucketsAsync(teamId, experimentId, cancellationToken);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<p><a href=\"/admin\">‹ Back to the cache admin</a> · <a href=\"/teams/{teamId}/experiments/{experimentId}\">Its sessions</a></p><h1>{E(name)}: buckets</h1>");
        html.Append("<table id=mode-totals><tr><th>Read mode</th><th class=n>Sessions</th><th class=n>Participants</th><th class=n>Human messages</th><th>Last activity</th><th class=n>Read in</th></tr>");
        foreach (var mode in new[] { ReadMode.Cached, ReadMode.RealTime, ReadMode.Live })
        {
            var stopwatch = Stopwatch.StartNew();
            var t = (await cache.GetExperimentTotalsAsync(teamId, [experimentId], mode, cancellationToken))[experimentId];
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{mode}</td><td class=n>{N(t.SessionCount)}</td><td class=n>{N(t.ParticipantCount)}</td><td class=n>{N(t.HumanMessageCount)}</td><td>{WhenExact(t.LastActivity)}</td><td class=n>{stopwatch.Elapsed.TotalMilliseconds:N1} ms</td></tr>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</table><p>{buckets.Count} buckets: ");
        html.AppendJoin(", ", buckets.GroupBy(b => b.Size).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        html.Append(".</p><table id=buckets><tr><th>Size</th><th>Start (UTC)</th><th>End (UTC)</th><th class=n>Sessions</th><th class=n>New participants</th><th class=n>Human messages</th><th>Last activity</th></tr>");
        foreach (var b in buckets.OrderByDescending(b => b.Start))
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{b.Size}</td><td>{b.Start:yyyy-MM-dd HH:mm}</td><td>{b.End:yyyy-MM-dd HH:mm}</td><td class=n>{N(b.SessionCount)}</td><td class=n>{N(b.NewParticipantCount)}</td><td class=n>{N(b.HumanMessageCount)}</td><td>{WhenExact(b.LastActivity)}</td></tr>");
        }

        html.Append("</table>");
        return Page($"{name}: buckets", html);
    }

    /// <summary><c>/admin/buckets?team=&amp;experiment=</c>: the admin page's form, redirected to the chatbot's bucket page.</summary>
    public static IResult BucketsForm(string? team, string? experiment) =>
        long.TryParse(team, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && long.TryParse(experiment, NumberStyles.None, CultureInfo.InvariantCulture, out var e)
            ? Results.Redirect(string.Create(CultureInfo.InvariantCulture, $"/admin/teams/{t}/experiments/{e}"))
            : ErrorPage(StatusCodes.Status400BadRequest, "Bad chatbot", "Give a team and a chatbot by their numbers, e.g. team 1, chatbot 4.", "/admin", "Back to the cache admin");

    /// <summary><c>POST /admin/verify</c>: verifies the whole cache (repairing what differs) and shows the result.</summary>
    public static async Task<IResult> VerifyAsync(IStatisticsCache cache, CancellationToken cancellationToken)
    {
        var r = await cache.VerifyAsync(new VerifyRequest { Repair = true }, cancellationToken);
        var html = new StringBuilder("<p><a href=\"/admin\">‹ Back to the cache admin</a></p><h1>Verify</h1>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p id=verify-result class=banner>{(r.Clean ? "Clean" : "Drift left")}: {r.RangesChecked:N0} stored ranges from {r.From:yyyy-MM-dd HH:mm} to {r.To:yyyy-MM-dd HH:mm} UTC compared with the source in {r.Duration.TotalMilliseconds:N0} ms; {r.Ranges.Count} differed, {r.Changes.Count} chatbot(s) changed, {N(r.RowsWritten)} rows repaired.</p>");
        if (r.Ranges.Count > 0)
        {
            html.Append("<table><tr><th>Verdict</th><th>Size</th><th>From</th><th>To</th><th class=n>Source sessions / msgs</th><th class=n>Cache before</th><th class=n>Cache after</th></tr>");
            foreach (var range in r.Ranges)
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{range.Verdict}</td><td>{range.Size}</td><td>{range.From:yyyy-MM-dd HH:mm}</td><td>{range.To:yyyy-MM-dd HH:mm}</td><td class=n>{N(range.Source.SessionCount)} / {N(range.Source.HumanMessageCount)}</td><td class=n>{N(range.Before.SessionCount)} / {N(range.Before.HumanMessageCount)}</td><td class=n>{(range.After is { } a ? $"{N(a.SessionCount)} / {N(a.HumanMessageCount)}" : "—")}</td></tr>");
            }

            html.Append("</table>");
        }

        return Page("Verify", html);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    /// <param name="value">Already encoded or formatted.</param>
    private static void Row(StringBuilder html, string heading, string value, bool numeric = false) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(heading)}</th><td{(numeric ? " class=n" : "")}>{value}</td></tr>");
}
