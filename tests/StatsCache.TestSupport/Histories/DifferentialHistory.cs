using StatsCache.Maintenance;
using StatsCache.Reads;
using StatsCache.TestSupport.Host;

namespace StatsCache.TestSupport.Histories;

/// <summary>
/// The differential test, written once for plain PostgreSQL (tests/StatsCache.IntegrationTests) and
/// Citus (tests/StatsCache.CitusTests): random source data and random interleavings of inserts,
/// refresh, compress and backfill under a fake clock; after every operation every experiment and
/// session total of every team must equal the live SQL over the source, exactly. The clock walks from
/// mid-December 2023 (<see cref="Start"/>) to April 2024, so the data crosses month ends, the year end
/// and 29 February, and the policy rolls hours into days and days into months along the way. Between
/// operations, rows written since the last refresh are read in real-time and live mode, which must be
/// exact too. Some sessions get a human message stamped before their own start (an import, two
/// servers' clocks). On the <see cref="HostShape.TeamScopedIds"/> host every team numbers its sessions
/// from the same start and uses the same experiment and participant ids. The history numbers its ids
/// with <c>long</c>s whatever the host's key types (<see cref="IHostUnderTest.Keys"/>): the host's rows,
/// the cache's reads and the live SQL map them (<see cref="IHostUnderTest.Statistics"/>), so one seed
/// plays the same history on a long-, int- or Guid-keyed host. Every message carries tokens (some none) and
/// sessions get one or two bot messages: on a host that declares its measures (<see cref="HostWiring.DeclareMeasures"/>:
/// bot messages, tokens used) the same checks hold them to the live SQL too. The tokens and the extra bot
/// messages come from a random stream of their own, so a seed plays the same sessions and human messages as before.
/// </summary>
public static class DifferentialHistory
{
    /// <summary>Where the host's clock must start (the harness is created with it).</summary>
    public static readonly DateTime Start = new(2023, 12, 20, 9, 17, 0, DateTimeKind.Utc);

    private static readonly long[] Teams = [1, 2, 3];
    private static readonly string[] Labels = ["v1", "v2", "v10", "V2-beta"];

    /// <summary>
    /// Runs the history of <paramref name="seed"/> on a fresh host whose clock is at <see cref="Start"/>,
    /// asserting after every step; returns a one-line summary for the test output.
    /// </summary>
    public static async Task<string> RunAsync(IHostUnderTest h, int seed)
    {
        var random = new Random(seed);
        var measureRandom = new Random(unchecked((seed * 7919) + 17)); // tokens and extra bot messages: leaves the main stream as it was
        var lookBack = TimeSpan.FromMinutes(15);
        var sessions = new List<(long Team, long Experiment, long Id, DateTime CreatedAt)>();
        var log = new List<string>();
        var cache = h.Statistics;

        // History before the cache exists: the first refresh builds it by backfill.
        for (var i = 0; i < 40; i++)
        {
            var at = Start.AddDays(-random.Next(1, 20)).AddMinutes(-random.Next(0, 1440));
            await InsertAsync(h, random, measureRandom, sessions, at, Start, earliest: at.AddDays(-3));
        }

        for (var step = 0; step < 70; step++)
        {
            var watermarkBefore = h.Now;
            // Time moves by minutes, hours or days: the policy's cut-offs move with it.
            h.Advance(random.Next(10) switch
            {
                < 5 => TimeSpan.FromMinutes(random.Next(1, 90)),
                < 9 => TimeSpan.FromHours(random.Next(1, 30)),
                _ => TimeSpan.FromDays(random.Next(1, 12)),
            });

            // New rows land between the last refresh (minus the look-back: late commits) and now.
            var rows = random.Next(0, 6);
            for (var i = 0; i < rows; i++)
            {
                var from = watermarkBefore - lookBack;
                var at = from + TimeSpan.FromTicks((long)(random.NextDouble() * (h.Now - from).Ticks));
                await InsertAsync(h, random, measureRandom, sessions, Trim(at), h.Now, earliest: from);
            }

            var operation = random.Next(10) switch
            {
                < 6 => "refresh",
                < 8 => "compress",
                < 9 => "backfill-all",
                _ => "backfill-some",
            };
            log.Add($"{h.Now:O} +{rows} {operation}");
            switch (operation)
            {
                case "refresh":
                    (await cache.RefreshAsync()).Skipped.Should().BeFalse();
                    break;
                case "compress":
                    await cache.RefreshAsync();
                    await cache.CompressAsync();
                    break;
                case "backfill-all":
                    await cache.BackfillAsync();
                    break;
                default:
                    var experiments = Enumerable.Range(0, 3).Select(_ => (long)random.Next(1, 13)).ToList();
                    await cache.RefreshAsync();
                    await cache.BackfillAsync(from: Trim(h.Now.AddDays(-random.Next(0, 60))), experimentIds: experiments);
                    break;
            }

            foreach (var team in Teams)
            {
                await ExactTotals.AssertExactAsync(h, team, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})");
            }

            // Rows written since the refresh: real-time reads see them at once, live reads too.
            if (random.Next(2) == 0)
            {
                var watermark = h.Now;
                h.Advance(TimeSpan.FromMinutes(random.Next(1, 40)));
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    await InsertAsync(h, random, measureRandom, sessions, Trim(watermark + ((h.Now - watermark) * random.NextDouble())), h.Now, earliest: watermark);
                }

                log.Add($"{h.Now:O} tail");
                foreach (var team in Teams)
                {
                    await ExactTotals.AssertExactAsync(h, team, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})", ReadMode.RealTime);
                    await ExactTotals.AssertExactAsync(h, team, $"(seed {seed}, step {step})", ReadMode.Live);
                }
            }
        }

        var status = await cache.GetStatusAsync();
        status.BucketCounts.Values.Sum().Should().BeGreaterThan(0);
        return $"seed {seed} ({h.Keys} keys): {sessions.Count} sessions; buckets {string.Join(", ", status.BucketCounts.Select(kv => $"{kv.Key}={kv.Value}"))}; last {log[^1]}";
    }

    /// <summary>
    /// A session (maybe new, maybe an earlier one continuing) with a few human and bot messages.
    /// Experiments are numbered per team (team t owns experiments 4(t-1)+1 … 4t); participants are
    /// shared across a team's experiments; some sessions are anonymous, some get no human message.
    /// On the team-scoped host all teams use experiments 1 … 4 and the same participant ids. A new
    /// session may get a human message stamped before its start, but not before
    /// <paramref name="earliest"/> (the start of the window the next refresh reads). Every message gets tokens from
    /// <paramref name="measures"/> (a quarter of them none); the bot answers once, sometimes twice, up to 90 minutes later.
    /// </summary>
    private static async Task InsertAsync(IHostUnderTest h, Random random, Random measures, List<(long Team, long Experiment, long Id, DateTime CreatedAt)> sessions, DateTime at, DateTime now, DateTime earliest)
    {
        var shared = h.Shape == HostShape.TeamScopedIds;
        (long Team, long Experiment, long Id, DateTime CreatedAt) session;
        var earlier = sessions.Where(s => s.CreatedAt <= at).ToList();
        if (earlier.Count > 0 && random.Next(3) == 0)
        {
            session = earlier[random.Next(earlier.Count)];
        }
        else
        {
            var team = Teams[random.Next(Teams.Length)];
            var experiment = (shared ? 0 : (team - 1) * 4) + random.Next(1, 5);
            long? participant = random.Next(5) == 0 ? null : (shared ? 1 : team) * 1000 + random.Next(1, 12);
            var id = await h.Data.AddSessionAsync(team, experiment, participant, at);
            session = (team, experiment, id, at);
            sessions.Add(session);
            if (random.Next(4) == 0 && at > earliest)
            {
                await h.Data.AddMessagesAsync(team, experiment, id, [Trim(earliest + ((at - earliest) * random.NextDouble()))], human: true, tokens: [Tokens(measures, 400)]);
            }
        }

        var humans = random.Next(4) == 0 ? 0 : random.Next(1, 4);
        var times = Enumerable.Range(0, humans).Select(_ => Trim(Min(at.AddMinutes(random.Next(0, 120)), now.AddTicks(-10)))).ToList();
        await h.Data.AddMessagesAsync(session.Team, session.Experiment, session.Id, times, human: true, version: random.Next(3) == 0 ? null : Labels[random.Next(Labels.Length)],
            tokens: times.Select(_ => Tokens(measures, 400)).ToList());
        var bot = new List<DateTime> { Trim(Min(at.AddMinutes(1), now.AddTicks(-10))) };
        if (measures.Next(3) == 0)
        {
            bot.Add(Trim(Min(at.AddMinutes(measures.Next(1, 91)), now.AddTicks(-10))));
        }

        await h.Data.AddMessagesAsync(session.Team, session.Experiment, session.Id, bot, human: false, version: Labels[random.Next(Labels.Length)],
            tokens: bot.Select(_ => Tokens(measures, 4000)).ToList());
    }

    /// <summary>A message's tokens: none for a quarter of them, else 0 … <paramref name="max"/>.</summary>
    private static int? Tokens(Random measures, int max) => measures.Next(4) == 0 ? null : measures.Next(0, max + 1);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>PostgreSQL keeps microseconds.</summary>
    private static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}
