using System.Text;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StatsCache.IntegrationTests.Host;

namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// Plays a <see cref="History"/> against a real cache on a reused database and checks the
/// invariants of docs/guarantees.md (coverage, exactness, compression, idempotence, isolation) along the way:
/// coverage after every maintenance call; exactness (against <see cref="HistoryOracle"/>) after every
/// refresh and full backfill (after a refresh only if no row was committed later than the look-back:
/// until a full backfill, such rows may be missing but nothing is ever over-counted); idempotence (a second refresh changes no stored row; a backfill after
/// refreshes changes no total); compression preserves every total; isolation after every refresh;
/// a partial backfill never over-counts. The host's measures (bot messages, tokens used; <see cref="HistoryOracle.Measures"/>)
/// are held to every one of them like the built-in statistics. A failure is rethrown with the history as it was played,
/// with concrete times and ids.
/// </summary>
/// <remarks>
/// With <see cref="DeletionSemantics.Mirror"/> the cache mirrors deletions and tracks changes: purges
/// may remove any session at any time and late rows may be mixed with them, and every refresh must
/// still be exact against the host's tables alone. With <see cref="HostShape.TeamScopedIds"/> (the
/// oracle's shape) both teams number their sessions from the same start and use the same experiment
/// and participant ids, so every join must keep the teams apart. The oracle's <see cref="HistoryOracle.Keys"/>
/// are the host's key types: the history numbers its ids with <c>long</c>s, and the host's rows, the
/// cache's reads (<see cref="IHostCache"/>) and the oracle map them, so a history plays the same on a
/// long-, int- or Guid-keyed host.
/// </remarks>
public sealed class HistoryRunner(string connectionString, NpgsqlDataSource db, HistoryOracle oracle, HostSources sources = HostSources.EntityModel)
{
    public static readonly long[] Teams = [1, 2];
    private static readonly string[] Labels = ["v1", "v2", "v10", "V2-beta"];

    public async Task RunAsync(History history)
    {
        await oracle.ResetAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(history.Start, TimeSpan.Zero));
        var mirror = oracle.Semantics == DeletionSemantics.Mirror;
        await using var instance = CacheInstance.Create(connectionString, clock, shape: oracle.Shape, keys: oracle.Keys, sources: sources, measures: oracle.Measures, configure: o =>
        {
            o.LookBack = history.LookBack;
            if (mirror)
            {
                o.Deletions = SourceDeletions.Mirror;
                o.ChangeTracking = true;
                o.HumanMessages.ChangeTrackingTable = "chat_messages";
            }
        });
        if (mirror)
        {
            await instance.Statistics.EnableChangeTrackingAsync();
        }

        var run = new Run(instance, new HostData(db, oracle.Shape, oracle.Keys), db, oracle, history.LookBack);
        try
        {
            foreach (var step in history.Steps)
            {
                await run.PlayAsync(step);
            }

            await run.FinishAsync();
        }
        catch (Exception e) when (e is not HistoryFailedException)
        {
            throw new HistoryFailedException($"{e.Message}\n--- history as played ---\n{run.Log}", e);
        }
    }

    private sealed class Run(CacheInstance instance, HostData data, NpgsqlDataSource db, HistoryOracle oracle, TimeSpan lookBack)
    {
        private readonly List<SessionRow> _sessions = [];
        private readonly StringBuilder _log = new();
        private int _step;
        private bool _lateRowsPending;
        private bool _anyLateRow;
        private bool _anyPurge;

        /// <summary>Mirroring with change tracking: late rows and purges anywhere are recomputed by the next refresh.</summary>
        private bool Tracked => oracle.Semantics == DeletionSemantics.Mirror;

        public string Log => _log.ToString();

        private IHostCache Cache => instance.Statistics;

        private DateTime Now => instance.Now;

        public async Task PlayAsync(HistoryStep step)
        {
            _step++;
            switch (step)
            {
                case Tick t:
                    instance.Clock.Advance(TimeSpan.FromMinutes(t.Minutes));
                    Write($"{t} → now {Now:yyyy-MM-dd HH:mm}");
                    break;
                case NewSession n:
                    await NewSessionAsync(n);
                    break;
                case LateSession l:
                    await LateSessionAsync(l);
                    break;
                case MoreMessages m:
                    await MoreMessagesAsync(m);
                    break;
                case MessageBeforeStart e:
                    await MessageBeforeStartAsync(e);
                    break;
                case Purge p:
                    await PurgeAsync(p);
                    break;
                case Refresh:
                    await RefreshAndCheckAsync();
                    break;
                case Compress:
                    await CompressAndCheckAsync();
                    break;
                case BackfillAll:
                    var all = await Cache.BackfillAsync();
                    Write($"backfill all: [{all.From:yyyy-MM-dd HH:mm}, {all.To:yyyy-MM-dd HH:mm}) in {all.Chunks} chunk(s)");
                    await Invariants.AssertCoverageAsync(db, Because);
                    await Invariants.AssertExactAsync(Cache, oracle, Teams, Now, Because);
                    _lateRowsPending = false;
                    break;
                case BackfillSome b:
                    await BackfillSomeAndCheckAsync(b);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step");
            }
        }

        /// <summary>Quiesce: refresh, check everything, then a backfill after the refreshes must change no total.</summary>
        public async Task FinishAsync()
        {
            _step++;
            await RefreshAndCheckAsync();
            var refreshed = await Invariants.ReadAsync(Cache, oracle, Teams, Now);
            var backfill = await Cache.BackfillAsync();
            Write($"final backfill all: {backfill.Chunks} chunk(s)");
            await Invariants.AssertCoverageAsync(db, Because);
            if (!_lateRowsPending)
            {
                Invariants.AssertSame(await Invariants.ReadAsync(Cache, oracle, Teams, Now), refreshed, "idempotence: a backfill after refreshes gives the same totals " + Because);
            }

            await Invariants.AssertExactAsync(Cache, oracle, Teams, Now, Because);
        }

        private string Because => $"(at step {_step}, now {Now:yyyy-MM-dd HH:mm:ss})";

        private void Write(string line) => _log.Append(_step.ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append(". ").AppendLine(line);

        /// <summary>Rows may land from the watermark minus the look-back (late commits) up to now; before the first build, anywhere in the last 45 days.</summary>
        private async Task<(DateTime From, DateTime? Watermark)> InsertWindowAsync()
        {
            var watermark = (await Cache.GetStatusAsync(recentRuns: 0)).Watermark;
            return (watermark is { } w ? w - lookBack : Now.AddDays(-45), watermark);
        }

        private async Task NewSessionAsync(NewSession n)
        {
            var (from, _) = await InsertWindowAsync();
            if (Now - from < TimeSpan.FromMilliseconds(1))
            {
                Write($"{n}: the insert window [watermark − look-back, now) is empty, skipped");
                return;
            }

            var at = Within(from, Now, n.At);
            var team = Teams[n.Team - 1];
            var (experiment, participant) = Ids(team, n.Experiment, n.Participant);
            var id = await data.AddSessionAsync(team, experiment, participant, at);
            var row = new SessionRow(team, experiment, id, at) { LastRowAt = at };
            _sessions.Add(row);
            Write($"session {id}: team {team} exp {experiment} participant {participant?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} at {at:yyyy-MM-dd HH:mm:ss.ffffff}");
            await MessagesAsync(row, at, n.Humans, n.Version);
        }

        /// <summary>
        /// A row committed later than the look-back behind its own timestamp. Not combined with purges
        /// in one history: a recompute of a bucket holding both purged and never-counted rows keeps
        /// the larger of the two counts, not their sum (documented, see NotGuaranteedTests).
        /// </summary>
        private async Task LateSessionAsync(LateSession l)
        {
            var (from, watermark) = await InsertWindowAsync();
            if (watermark is null || (_anyPurge && !Tracked))
            {
                Write($"{l}: skipped ({(watermark is null ? "cache never built: nothing is late" : "this history purges")})");
                return;
            }

            var at = Trim(from.AddDays(-l.DaysBack).AddMinutes(-5));
            var team = Teams[l.Team - 1];
            var (experiment, participant) = Ids(team, l.Experiment, l.Participant);
            var id = await data.AddSessionAsync(team, experiment, participant, at);
            var row = new SessionRow(team, experiment, id, at) { LastRowAt = at };
            _sessions.Add(row);
            var times = Enumerable.Range(0, l.Humans).Select(i => at.AddMinutes(i + 1)).ToList();
            await data.AddMessagesAsync(team, experiment, id, times, human: true, version: "v1");
            row.LastRowAt = times.Count > 0 ? times.Max() : at;
            _lateRowsPending = !Tracked;
            _anyLateRow = true;
            Write($"late session {id}: team {team} exp {experiment} participant {participant?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} at {at:yyyy-MM-dd HH:mm:ss}, {l.Humans} human msg(s) (window starts {from:yyyy-MM-dd HH:mm})");
        }

        /// <summary>
        /// Experiment and participant ids: per team where ids are global, the same in both teams where
        /// they are unique only within a team (participant 0: anonymous).
        /// </summary>
        private (long Experiment, long? Participant) Ids(long team, int experiment, int participant)
        {
            var scope = oracle.Shape == HostShape.TeamScopedIds ? 1 : team;
            return (scope * 10 + experiment, participant == 0 ? null : scope * 100 + participant);
        }

        /// <summary>Experiment ids a partial backfill picks from: the first two of each team.</summary>
        private long[] BackfillExperiments => Teams.SelectMany(t => new[] { Ids(t, 1, 0).Experiment, Ids(t, 2, 0).Experiment }).ToArray();

        private async Task MessageBeforeStartAsync(MessageBeforeStart e)
        {
            var live = _sessions.Where(s => !s.Purged).ToList();
            if (live.Count == 0)
            {
                Write($"{e}: no session, skipped");
                return;
            }

            var session = live[e.Session % live.Count];
            var (from, _) = await InsertWindowAsync();
            if (session.CreatedAt - from < TimeSpan.FromMilliseconds(1))
            {
                Write($"{e}: session {session.Id} started at the insert window's start, skipped");
                return;
            }

            var at = Within(from, session.CreatedAt, e.At);
            await data.AddMessagesAsync(session.Team, session.Experiment, session.Id, [at], human: true);
            Write($"session {session.Id} (team {session.Team}, started {session.CreatedAt:yyyy-MM-dd HH:mm:ss.ffffff}): human msg stamped before its start, at {at:yyyy-MM-dd HH:mm:ss.ffffff}");
        }

        private async Task MoreMessagesAsync(MoreMessages m)
        {
            var live = _sessions.Where(s => !s.Purged).ToList();
            if (live.Count == 0)
            {
                Write($"{m}: no session, skipped");
                return;
            }

            var session = live[m.Session % live.Count];
            var (from, _) = await InsertWindowAsync();
            from = Max(from, session.CreatedAt);
            if (Now - from < TimeSpan.FromMilliseconds(1))
            {
                Write($"{m}: the insert window for session {session.Id} is empty, skipped");
                return;
            }

            var at = Within(from, Now, m.At);
            await MessagesAsync(session, at, m.Humans, m.Version);
        }

        /// <summary>
        /// Human messages 37 minutes apart (so a session spans hour buckets) from <paramref name="at"/> and a bot reply carrying a version,
        /// all in [at, now): rows stamped before the insert window would be late beyond the look-back,
        /// which only a backfill catches (LateDataTests covers that).
        /// </summary>
        private async Task MessagesAsync(SessionRow session, DateTime at, int humans, int version)
        {
            var latest = Now.AddTicks(-10); // ≥ at: the window is at least 1 ms wide and at lies in its first 99.9 %
            var times = Enumerable.Range(0, humans).Select(i => Trim(Min(at.AddMinutes(37 * i), latest))).ToList();
            var label = version == 0 ? null : Labels[version - 1];
            await data.AddMessagesAsync(session.Team, session.Experiment, session.Id, times, human: true, version: label, tokens: times.Select(TokensOf).ToList());
            var reply = Trim(Min(at.AddMinutes(37 * humans + 1), latest));
            await data.AddMessagesAsync(session.Team, session.Experiment, session.Id, [reply], human: false, version: label, tokens: [TokensOf(reply, humans)]);
            session.LastRowAt = Max(session.LastRowAt, Max(reply, times.Count > 0 ? times.Max() : reply));
            Write($"session {session.Id}: {humans} human msg(s) from {at:yyyy-MM-dd HH:mm:ss.ffffff}, bot reply {reply:HH:mm:ss.ffffff} ({TokensOf(reply, humans)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} tokens), version {label ?? "none"}");
        }

        /// <summary>
        /// A retention purge removes old months only: every row of the session must lie in a UTC month
        /// wholly before the month of watermark − look-back. Rows that recent could share a bucket with
        /// rows the cache has not counted yet, and a GREATEST merge cannot tell "purged" from "never
        /// there" (see docs/guarantees.md and NotGuaranteedTests).
        /// </summary>
        private async Task PurgeAsync(Purge p)
        {
            var live = _sessions.Where(s => !s.Purged).ToList();
            var (from, watermark) = await InsertWindowAsync();
            if (live.Count == 0 || watermark is null || (_anyLateRow && !Tracked))
            {
                Write($"{p}: skipped (no session, cache never built, or this history has late rows)");
                return;
            }

            var session = live[p.Session % live.Count];
            var purgeBefore = BucketCalendar.Floor(from, BucketSize.Month);
            if (session.LastRowAt >= purgeBefore && !Tracked)
            {
                Write($"purge of session {session.Id} skipped: its rows reach {session.LastRowAt:yyyy-MM-dd HH:mm}, not before {purgeBefore:yyyy-MM-dd}");
                return;
            }

            await oracle.PurgeSessionsAsync([session.Id], session.Team);
            session.Purged = true;
            _anyPurge = true;
            Write($"purged session {session.Id} (rows up to {session.LastRowAt:yyyy-MM-dd HH:mm}, before {purgeBefore:yyyy-MM-dd})");
        }

        private async Task RefreshAndCheckAsync()
        {
            var result = await Cache.RefreshAsync();
            Write($"refresh: [{result.From:yyyy-MM-dd HH:mm}, {result.To:yyyy-MM-dd HH:mm}){(result.Initialized ? " (first build)" : "")}");
            result.Skipped.Should().BeFalse("nobody else holds the lock {0}", Because);
            await Invariants.AssertCoverageAsync(db, Because);
            if (_lateRowsPending)
            {
                await AssertNeverOverCountsAsync("rows committed later than the look-back wait for a backfill, but nothing is over-counted");
            }
            else
            {
                await Invariants.AssertExactAsync(Cache, oracle, Teams, Now, Because);
            }

            var once = await Invariants.DumpAsync(db);
            (await Cache.RefreshAsync()).Skipped.Should().BeFalse();
            (await Invariants.DumpAsync(db)).Should().Equal(once, "idempotence: refreshing twice stores the same rows as refreshing once {0}", Because);

            await Invariants.AssertIsolatedAsync(Cache, oracle, Teams[0], [Teams[1]], Now, Because);
            await Invariants.AssertIsolatedAsync(Cache, oracle, Teams[1], [Teams[0]], Now, Because);
        }

        private async Task CompressAndCheckAsync()
        {
            var before = await Invariants.ReadAsync(Cache, oracle, Teams, Now);
            var result = await Cache.CompressAsync();
            Write($"compress: {(result.Skipped ? "skipped (never built)" : $"{result.BucketsWritten} bucket row(s), monthly < {result.DailyFrom:yyyy-MM-dd}, daily < {result.HourlyFrom:yyyy-MM-dd}")}");
            await Invariants.AssertCoverageAsync(db, Because);
            Invariants.AssertSame(await Invariants.ReadAsync(Cache, oracle, Teams, Now), before, "compression preserves every total " + Because);
        }

        private async Task BackfillSomeAndCheckAsync(BackfillSome b)
        {
            var experiments = BackfillExperiments.Where((_, i) => (b.Mask & (1 << i)) != 0).Distinct().ToList();
            var from = Trim(Now.AddDays(-b.DaysBack).AddMinutes(-7));
            var result = await Cache.BackfillAsync(from, experiments);
            Write($"backfill experiments [{string.Join(", ", experiments)}] from {from:yyyy-MM-dd HH:mm}: {result.Chunks} chunk(s)");
            await Invariants.AssertCoverageAsync(db, Because);

            // It may count rows the watermark has not reached yet, but never more than there are —
            // unless deletions are mirrored: erasures recorded by the triggers wait for the next refresh.
            if (!Tracked)
            {
                await AssertNeverOverCountsAsync("a partial backfill never over-counts");
            }
        }

        private async Task AssertNeverOverCountsAsync(string what)
        {
            var expected = await Invariants.ExpectedAsync(oracle, Teams, Now);
            var actual = await Invariants.ReadAsync(Cache, oracle, Teams, Now);
            foreach (var (key, totals) in actual.Experiments)
            {
                var live = expected.Experiments[key];
                totals.SessionCount.Should().BeLessThanOrEqualTo(live.SessionCount, "{0} ({1}) {2}", what, key, Because);
                totals.ParticipantCount.Should().BeLessThanOrEqualTo(live.ParticipantCount, "{0} ({1}) {2}", what, key, Because);
                totals.HumanMessageCount.Should().BeLessThanOrEqualTo(live.HumanMessageCount, "{0} ({1}) {2}", what, key, Because);
                AssertMeasuresAtMost(totals.Measures, live.Measures, $"{what} ({key}) {Because}");
            }

            foreach (var (key, totals) in actual.Sessions)
            {
                totals.HumanMessageCount.Should().BeLessThanOrEqualTo(expected.Sessions[key].HumanMessageCount, "{0} (session {1}) {2}", what, key, Because);
                AssertMeasuresAtMost(totals.Measures, expected.Sessions[key].Measures, $"{what} (session {key}) {Because}");
            }
        }

        /// <summary>Every declared measure is served, and none exceeds the live value (tokens are never negative, so a sum only grows).</summary>
        private static void AssertMeasuresAtMost(IReadOnlyDictionary<string, long> served, IReadOnlyDictionary<string, long> live, string because)
        {
            served.Keys.Should().BeEquivalentTo(live.Keys, "every declared measure is read {0}", because);
            foreach (var (name, value) in served)
            {
                value.Should().BeLessThanOrEqualTo(live[name], "measure {0}: {1}", name, because);
            }
        }

        /// <summary>
        /// A message's tokens, from its time and place in its statement (so a history plays the same every time): none
        /// for about a fifth of them, else 0 … 999.
        /// </summary>
        private static int? TokensOf(DateTime at, int index)
        {
            var h = (at.Ticks / 10) + (index * 7919L);
            return h % 5 == 0 ? null : (int)(h / 5 % 1000);
        }

        private static DateTime Within(DateTime from, DateTime to, int perMille) =>
            Trim(from + TimeSpan.FromTicks((to - from).Ticks / 1000 * Math.Clamp(perMille, 0, 999)));

        private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

        private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

        /// <summary>PostgreSQL keeps microseconds.</summary>
        private static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }

    private sealed record SessionRow(long Team, long Experiment, long Id, DateTime CreatedAt)
    {
        public DateTime LastRowAt { get; set; }

        public bool Purged { get; set; }
    }
}

/// <summary>An invariant failed while a history was played; the message carries the played history.</summary>
public sealed class HistoryFailedException(string message, Exception inner) : Exception(message, inner);
