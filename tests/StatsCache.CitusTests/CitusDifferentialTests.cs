using StatsCache.IntegrationTests.Host;
using StatsCache.CitusTests.Infrastructure;
using Xunit.Abstractions;

namespace StatsCache.CitusTests;

/// <summary>
/// The integration suite's differential test on Citus (team-scoped host, every table distributed by
/// team): random source data and random interleavings of inserts, refresh, compress and backfill
/// under a fake clock, from mid-December 2023 to April 2024; after every operation every
/// experiment and session total of every team equals the live SQL over the source, exactly, in
/// cached, real-time and live mode.
/// </summary>
[Collection(CitusCollection.Name)]
public sealed class CitusDifferentialTests(CitusCluster cluster, ITestOutputHelper output)
{
    private static readonly DateTime Start = new(2023, 12, 20, 9, 17, 0, DateTimeKind.Utc);
    private static readonly long[] Teams = [1, 2, 3];
    private static readonly string[] Labels = ["v1", "v2", "v10", "V2-beta"];

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task EveryTotalEqualsTheLiveQueryAfterEveryOperation(int seed)
    {
        var random = new Random(seed);
        await using var h = await CitusHarness.CreateAsync(cluster, Start);
        var lookBack = TimeSpan.FromMinutes(15);
        var sessions = new List<(long Team, long Experiment, long Id, DateTime CreatedAt)>();
        var log = new List<string>();

        // History before the cache exists: the first refresh builds it by backfill.
        for (var i = 0; i < 40; i++)
        {
            var at = Start.AddDays(-random.Next(1, 20)).AddMinutes(-random.Next(0, 1440));
            await InsertAsync(h, random, sessions, at, Start, earliest: at.AddDays(-3));
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
                await InsertAsync(h, random, sessions, Trim(at), h.Now, earliest: from);
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
                    (await h.Cache.RefreshAsync()).Skipped.Should().BeFalse();
                    break;
                case "compress":
                    await h.Cache.RefreshAsync();
                    await h.Cache.CompressAsync();
                    break;
                case "backfill-all":
                    await h.Cache.BackfillAsync();
                    break;
                default:
                    var experiments = Enumerable.Range(0, 3).Select(_ => (long)random.Next(1, 13)).ToList();
                    await h.Cache.RefreshAsync();
                    await h.Cache.BackfillAsync(new BackfillRequest { From = Trim(h.Now.AddDays(-random.Next(0, 60))), ExperimentIds = experiments });
                    break;
            }

            foreach (var team in Teams)
            {
                await h.AssertExactAsync(team, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})");
            }

            // Rows written since the refresh: real-time reads see them at once, live reads too.
            if (random.Next(2) == 0)
            {
                var watermark = h.Now;
                h.Advance(TimeSpan.FromMinutes(random.Next(1, 40)));
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    await InsertAsync(h, random, sessions, Trim(watermark + ((h.Now - watermark) * random.NextDouble())), h.Now, earliest: watermark);
                }

                log.Add($"{h.Now:O} tail");
                foreach (var team in Teams)
                {
                    await h.AssertExactAsync(team, $"(seed {seed}, step {step}: {string.Join(" | ", log.TakeLast(3))})", ReadMode.RealTime);
                    await h.AssertExactAsync(team, $"(seed {seed}, step {step})", ReadMode.Live);
                }
            }
        }

        var status = await h.Cache.GetStatusAsync();
        output.WriteLine($"{cluster.Description}; seed {seed}: {sessions.Count} sessions; buckets {string.Join(", ", status.BucketCounts.Select(kv => $"{kv.Key}={kv.Value}"))}; last {log[^1]}");
        status.BucketCounts.Values.Sum().Should().BeGreaterThan(0);
    }

    /// <summary>
    /// A session (maybe new, maybe an earlier one continuing) with a few human and bot messages.
    /// All teams use experiments 1 … 4 and the same participant ids (ids unique only within a team);
    /// some sessions are anonymous, some get no human message. A new
    /// session may get a human message stamped before its start, but not before
    /// <paramref name="earliest"/> (the start of the window the next refresh reads).
    /// </summary>
    private static async Task InsertAsync(CitusHarness h, Random random, List<(long Team, long Experiment, long Id, DateTime CreatedAt)> sessions, DateTime at, DateTime now, DateTime earliest)
    {
        (long Team, long Experiment, long Id, DateTime CreatedAt) session;
        var earlier = sessions.Where(s => s.CreatedAt <= at).ToList();
        if (earlier.Count > 0 && random.Next(3) == 0)
        {
            session = earlier[random.Next(earlier.Count)];
        }
        else
        {
            var team = Teams[random.Next(Teams.Length)];
            var experiment = random.Next(1, 5);
            long? participant = random.Next(5) == 0 ? null : 1000 + random.Next(1, 12);
            var id = await h.Data.AddSessionAsync(team, experiment, participant, at);
            session = (team, experiment, id, at);
            sessions.Add(session);
            if (random.Next(4) == 0 && at > earliest)
            {
                await h.Data.AddMessagesAsync(team, experiment, id, [Trim(earliest + ((at - earliest) * random.NextDouble()))], human: true);
            }
        }

        var humans = random.Next(4) == 0 ? 0 : random.Next(1, 4);
        var times = Enumerable.Range(0, humans).Select(_ => Trim(Min(at.AddMinutes(random.Next(0, 120)), now.AddTicks(-10)))).ToList();
        await h.Data.AddMessagesAsync(session.Team, session.Experiment, session.Id, times, human: true, version: random.Next(3) == 0 ? null : Labels[random.Next(Labels.Length)]);
        await h.Data.AddMessagesAsync(session.Team, session.Experiment, session.Id, [Trim(Min(at.AddMinutes(1), now.AddTicks(-10)))], human: false, version: Labels[random.Next(Labels.Length)]);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>PostgreSQL keeps microseconds.</summary>
    private static DateTime Trim(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}
