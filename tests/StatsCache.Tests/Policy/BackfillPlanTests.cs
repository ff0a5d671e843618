using FluentAssertions;
using StatsCache.Policy;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

public class BackfillPlanTests
{
    // The default policy at 2024-05-17 13:42 with a fresh watermark: days from 1 Apr, hours from 16 May.
    private static readonly DateTime Now = Utc(2024, 5, 17, 13, 42);
    private static readonly RetentionCutoffs Default = new(Utc(2024, 4, 1), Utc(2024, 5, 16));

    [Fact]
    public void FullBackfillWritesMonthsThenDaysThenOneHourlyTail()
    {
        var chunks = BackfillPlan.Chunks(Utc(2023, 11, 20, 8), Now, Default);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2023, 11, 1), Utc(2023, 12, 1), BucketSize.Month),
            new BackfillChunk(Utc(2023, 12, 1), Utc(2024, 1, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 1, 1), Utc(2024, 2, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 2, 1), Utc(2024, 3, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 3, 1), Utc(2024, 4, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 4, 1), Utc(2024, 5, 1), BucketSize.Day),
            new BackfillChunk(Utc(2024, 5, 1), Utc(2024, 5, 16), BucketSize.Day),
            new BackfillChunk(Utc(2024, 5, 16), Now, BucketSize.Hour));
        AssertPlan(chunks, Utc(2023, 11, 20, 8), Now, Default);
    }

    [Fact]
    public void StartInTheDailyRangeIsFlooredToTheDay()
    {
        var chunks = BackfillPlan.Chunks(Utc(2024, 4, 20, 10, 30), Now, Default);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 4, 20), Utc(2024, 5, 1), BucketSize.Day),
            new BackfillChunk(Utc(2024, 5, 1), Utc(2024, 5, 16), BucketSize.Day),
            new BackfillChunk(Utc(2024, 5, 16), Now, BucketSize.Hour));
    }

    [Fact]
    public void StartInTheHourlyRangeIsOneHourlyChunk()
    {
        var chunks = BackfillPlan.Chunks(Utc(2024, 5, 17, 2, 30), Now, Default);

        chunks.Should().Equal(new BackfillChunk(Utc(2024, 5, 17, 2), Now, BucketSize.Hour));
    }

    [Fact]
    public void HourlyTailIsOneChunkEvenAcrossAMonthEnd()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 1, 1), Utc(2024, 1, 20));
        var to = Utc(2024, 2, 3, 4);

        var chunks = BackfillPlan.Chunks(Utc(2024, 1, 25, 7, 15), to, cutoffs);

        chunks.Should().Equal(new BackfillChunk(Utc(2024, 1, 25, 7), to, BucketSize.Hour));
    }

    [Fact]
    public void NoDailyRangeGoesFromMonthsStraightToHours()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 5, 1), Utc(2024, 5, 1));
        var to = Utc(2024, 5, 2, 5);

        var chunks = BackfillPlan.Chunks(Utc(2024, 3, 15), to, cutoffs);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 3, 1), Utc(2024, 4, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 4, 1), Utc(2024, 5, 1), BucketSize.Month),
            new BackfillChunk(Utc(2024, 5, 1), to, BucketSize.Hour));
    }

    [Fact]
    public void DailyRangeAcrossLeapFebruaryIsSplitAtTheMonth()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 2, 1), Utc(2024, 3, 2));
        var to = Utc(2024, 3, 3, 12);

        var chunks = BackfillPlan.Chunks(Utc(2024, 2, 27, 23, 59), to, cutoffs);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 2, 27), Utc(2024, 3, 1), BucketSize.Day),
            new BackfillChunk(Utc(2024, 3, 1), Utc(2024, 3, 2), BucketSize.Day),
            new BackfillChunk(Utc(2024, 3, 2), to, BucketSize.Hour));
    }

    [Fact]
    public void EndBeforeTheHourlyRangeStopsInsideTheDailyRange()
    {
        var to = Utc(2024, 4, 10, 6);

        var chunks = BackfillPlan.Chunks(Utc(2024, 4, 3, 1), to, Default);

        chunks.Should().Equal(new BackfillChunk(Utc(2024, 4, 3), to, BucketSize.Day));
    }

    [Fact]
    public void EmptyWhenFromIsAfterTo() =>
        BackfillPlan.Chunks(Utc(2024, 5, 17, 13), Utc(2024, 5, 17, 12), Default).Should().BeEmpty();

    [Fact]
    public void EmptyWhenFromEqualsAnAlignedTo() =>
        BackfillPlan.Chunks(Utc(2024, 5, 17, 12), Utc(2024, 5, 17, 12), Default).Should().BeEmpty();

    [Fact]
    public void NonUtcBoundsAreRejected()
    {
        var local = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Local);

        FluentActions.Invoking(() => BackfillPlan.Chunks(local, Now, Default))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "from").WithMessage("*UTC*");
        FluentActions.Invoking(() => BackfillPlan.Chunks(Utc(2024, 5, 1), DateTime.SpecifyKind(Now, DateTimeKind.Unspecified), Default))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "to").WithMessage("*UTC*");
    }

    [Fact]
    public void RandomPlansCoverTheRangeWithAlignedChunks()
    {
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var now = Between(random, Utc(2015, 1, 1), Utc(2035, 1, 1));
            var hourly = TimeSpan.FromDays(random.Next(1, 32));
            var daily = hourly + TimeSpan.FromDays(random.Next(0, 120));
            var watermarkLag = random.Next(4) == 0 ? TimeSpan.FromHours(random.Next(0, 24 * 60)) : TimeSpan.Zero;
            var cutoffs = RetentionCutoffs.At(now, now - watermarkLag - TimeSpan.FromMinutes(15), hourly, daily);
            var from = random.Next(5) switch
            {
                0 => Between(random, cutoffs.HourlyFrom, now), // only hours
                1 => Between(random, cutoffs.DailyFrom.AddDays(-1), now), // around the daily cut-off
                2 => BucketCalendar.Floor(Between(random, now.AddYears(-3), now), BucketSize.Month), // aligned
                _ => Between(random, now.AddYears(-3), now),
            };
            // Mostly `now` (what Backfiller does); sometimes an earlier end, possibly before a cut-off.
            var to = random.Next(4) == 0 ? Between(random, from.AddSeconds(1), now.AddSeconds(1)) : now;
            if (to <= from)
            {
                continue;
            }

            AssertPlan(BackfillPlan.Chunks(from, to, cutoffs), from, to, cutoffs);
        }
    }

    [Fact]
    public void RandomPlansHonourCutoffsMovedForwardByAtLeast()
    {
        var random = new Random(4711);
        for (var i = 0; i < 2000; i++)
        {
            var now = Between(random, Utc(2015, 1, 1), Utc(2035, 1, 1));
            var stored = RetentionCutoffs.At(now, now, TimeSpan.FromDays(1), TimeSpan.FromDays(random.Next(1, 60)));
            var cutoffs = RetentionCutoffs.At(now, now, TimeSpan.FromDays(random.Next(1, 32)), TimeSpan.FromDays(random.Next(31, 400)))
                .AtLeast(stored.DailyFrom, stored.HourlyFrom);
            var from = Between(random, now.AddYears(-2), now);

            AssertPlan(BackfillPlan.Chunks(from, now, cutoffs), from, now, cutoffs);
        }
    }

    /// <summary>Every property a plan must have, whatever the inputs.</summary>
    private static void AssertPlan(IReadOnlyList<BackfillChunk> chunks, DateTime from, DateTime to, RetentionCutoffs cutoffs)
    {
        var because = $"from={from:O}, to={to:O}, cutoffs={cutoffs}";
        chunks.Should().NotBeEmpty(because);
        chunks[0].From.Should().Be(BucketCalendar.Floor(from, cutoffs.SizeAt(from)), "the start is floored to its bucket; " + because);
        chunks[^1].To.Should().Be(to, "the plan ends exactly at `to`; " + because);
        chunks.Count(c => c.Size == BucketSize.Hour).Should().BeLessThanOrEqualTo(1, because);

        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            var last = i == chunks.Count - 1;
            c.From.Should().BeBefore(c.To, "no empty chunks; " + because);
            c.From.Kind.Should().Be(DateTimeKind.Utc);
            c.To.Kind.Should().Be(DateTimeKind.Utc);
            if (i > 0)
            {
                c.From.Should().Be(chunks[i - 1].To, "chunks are contiguous and do not overlap; " + because);
                ((int)c.Size).Should().BeLessThanOrEqualTo((int)chunks[i - 1].Size, "sizes only get finer; " + because);
            }

            c.Size.Should().Be(cutoffs.SizeAt(c.From), "the policy's size for the chunk; " + because);
            BucketCalendar.Floor(c.From, c.Size).Should().Be(c.From, "a chunk starts on a bucket boundary; " + because);
            if (!last)
            {
                BucketCalendar.Floor(c.To, c.Size).Should().Be(c.To, "only the last chunk may end inside a bucket; " + because);
            }

            switch (c.Size)
            {
                case BucketSize.Month:
                    c.To.Should().BeOnOrBefore(cutoffs.DailyFrom, "month chunks stay before DailyFrom; " + because);
                    break;
                case BucketSize.Day:
                    c.From.Should().BeOnOrAfter(cutoffs.DailyFrom, because);
                    c.To.Should().BeOnOrBefore(cutoffs.HourlyFrom, "day chunks stay before HourlyFrom; " + because);
                    break;
                default:
                    c.From.Should().BeOnOrAfter(cutoffs.HourlyFrom, because);
                    last.Should().BeTrue("the hourly chunk is the last one; " + because);
                    break;
            }

            if (c.Size != BucketSize.Hour)
            {
                c.To.Should().BeOnOrBefore(BucketCalendar.End(BucketCalendar.Floor(c.From, BucketSize.Month), BucketSize.Month),
                    "a chunk is at most one calendar month; " + because);
                if (!last)
                {
                    (c.To == BucketCalendar.Floor(c.To, BucketSize.Month) || c.To == cutoffs.DailyFrom || c.To == cutoffs.HourlyFrom)
                        .Should().BeTrue("chunks are split only at month ends and cut-offs; " + because);
                }
            }
        }
    }

    [Fact]
    public void EmptyWhenFromEqualsAnUnalignedTo()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16));
        BackfillPlan.Chunks(Utc(2024, 5, 17, 12, 30), Utc(2024, 5, 17, 12, 30), cutoffs).Should().BeEmpty();
        BackfillPlan.Chunks(Utc(2024, 5, 17, 12, 45), Utc(2024, 5, 17, 12, 30), cutoffs).Should().BeEmpty();
    }
}
