using FluentAssertions;
using StatsCache.Policy;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

public class RetentionCutoffsTests
{
    private static readonly TimeSpan DefaultHourly = TimeSpan.FromDays(1);
    private static readonly TimeSpan DefaultDaily = TimeSpan.FromDays(30);
    private static readonly TimeSpan DefaultLookBack = TimeSpan.FromMinutes(15);

    public static TheoryData<DateTime, DateTime, DateTime, DateTime> DefaultPolicyCases => new()
    {
        // now, watermark, expected DailyFrom, expected HourlyFrom
        { Utc(2024, 5, 17, 13, 42), Utc(2024, 5, 17, 13, 40), Utc(2024, 4, 1), Utc(2024, 5, 16) },
        // Just after midnight: one day back is yesterday 00:10, so hours start yesterday.
        { Utc(2024, 5, 17, 0, 10), Utc(2024, 5, 17, 0, 8), Utc(2024, 4, 1), Utc(2024, 5, 16) },
        // Year end: hours from 31 Dec, days from 1 Dec.
        { Utc(2024, 1, 1, 0, 10), Utc(2024, 1, 1, 0, 5), Utc(2023, 12, 1), Utc(2023, 12, 31) },
        // Leap day: one day before 1 Mar 2024 05:00 is 29 Feb.
        { Utc(2024, 3, 1, 5), Utc(2024, 3, 1, 5), Utc(2024, 1, 1), Utc(2024, 2, 29) },
        // Not a leap year: one day before 1 Mar 2023 05:00 is 28 Feb; 30 days before is 30 Jan.
        { Utc(2023, 3, 1, 5), Utc(2023, 3, 1, 5), Utc(2023, 1, 1), Utc(2023, 2, 28) },
        // 30 days before 31 Mar 2024 12:00 is 1 Mar 12:00: daily from 1 Mar.
        { Utc(2024, 3, 31, 12), Utc(2024, 3, 31, 12), Utc(2024, 3, 1), Utc(2024, 3, 30) },
        // A stale watermark holds the hourly cut-off back at the day it can still rewrite.
        { Utc(2024, 5, 17, 13, 42), Utc(2024, 5, 10, 8, 0), Utc(2024, 4, 1), Utc(2024, 5, 10) },
        // A very stale watermark holds both cut-offs back.
        { Utc(2024, 5, 17, 13, 42), Utc(2024, 2, 15, 5, 0), Utc(2024, 2, 1), Utc(2024, 2, 15) },
    };

    [Theory]
    [MemberData(nameof(DefaultPolicyCases))]
    public void DefaultPolicyGivesDayAndMonthAlignedCutoffs(DateTime now, DateTime watermark, DateTime dailyFrom, DateTime hourlyFrom)
    {
        var cutoffs = RetentionCutoffs.At(now, watermark - DefaultLookBack, DefaultHourly, DefaultDaily);

        cutoffs.Should().Be(new RetentionCutoffs(dailyFrom, hourlyFrom));
        cutoffs.DailyFrom.Kind.Should().Be(DateTimeKind.Utc);
        cutoffs.HourlyFrom.Kind.Should().Be(DateTimeKind.Utc);
    }

    [Fact]
    public void LongerRetentionsMoveCutoffsBack()
    {
        var now = Utc(2024, 5, 17, 13, 42);

        var cutoffs = RetentionCutoffs.At(now, now, TimeSpan.FromDays(7), TimeSpan.FromDays(90));

        cutoffs.HourlyFrom.Should().Be(Utc(2024, 5, 10));
        cutoffs.DailyFrom.Should().Be(Utc(2024, 2, 1));
    }

    [Fact]
    public void EqualRetentionsCanLeaveNoDailyRange()
    {
        // Hours from 1 May, and one day back is in May as well: daily and hourly start together.
        var now = Utc(2024, 5, 2, 5);

        var cutoffs = RetentionCutoffs.At(now, now, TimeSpan.FromDays(1), TimeSpan.FromDays(1));

        cutoffs.Should().Be(new RetentionCutoffs(Utc(2024, 5, 1), Utc(2024, 5, 1)));
    }

    [Fact]
    public void CutoffsHoldForRandomInstantsAndPolicies()
    {
        var random = new Random(1234);
        for (var i = 0; i < 5000; i++)
        {
            var now = Between(random, Utc(2001, 1, 1), Utc(2039, 1, 1));
            var hourly = TimeSpan.FromDays(1) + TimeSpan.FromHours(random.Next(0, 30 * 24 + 1));
            var daily = hourly + TimeSpan.FromHours(random.Next(0, 400 * 24));
            var lookBack = TimeSpan.FromSeconds(random.NextInt64(0, (long)hourly.TotalSeconds));
            var watermarkLag = random.Next(3) == 0 ? TimeSpan.FromMinutes(random.Next(0, 90 * 24 * 60)) : TimeSpan.Zero;
            var rewritableFrom = now - watermarkLag - lookBack;

            var c = RetentionCutoffs.At(now, rewritableFrom, hourly, daily);

            var because = $"now={now:O}, rewritableFrom={rewritableFrom:O}, hourly={hourly}, daily={daily}";
            c.DailyFrom.Should().BeOnOrBefore(c.HourlyFrom, because);
            c.HourlyFrom.Should().BeOnOrBefore(rewritableFrom, "nothing the refresh may rewrite is rolled up; " + because);
            c.HourlyFrom.Should().BeOnOrBefore(now - hourly, "hours are kept at least HourlyRetention; " + because);
            c.DailyFrom.Should().BeOnOrBefore(now - daily, "days are kept at least DailyRetention; " + because);
            BucketCalendar.Floor(c.HourlyFrom, BucketSize.Day).Should().Be(c.HourlyFrom, "HourlyFrom is a day boundary; " + because);
            BucketCalendar.Floor(c.DailyFrom, BucketSize.Month).Should().Be(c.DailyFrom, "DailyFrom is a month boundary; " + because);

            // And they are the latest such boundaries: nothing older than needed stays fine-grained.
            var hourlyLimit = rewritableFrom < now - hourly ? rewritableFrom : now - hourly;
            BucketCalendar.End(c.HourlyFrom, BucketSize.Day).Should().BeAfter(hourlyLimit, because);
            var dailyLimit = now - daily < c.HourlyFrom ? now - daily : c.HourlyFrom;
            BucketCalendar.End(c.DailyFrom, BucketSize.Month).Should().BeAfter(dailyLimit, because);
        }
    }

    [Fact]
    public void CutoffsNeverMoveBackAsTimePasses()
    {
        var random = new Random(99);
        var now = Utc(2023, 1, 1);
        var previous = RetentionCutoffs.At(now, now - DefaultLookBack, DefaultHourly, DefaultDaily);
        for (var i = 0; i < 3000; i++)
        {
            now = now.AddMinutes(random.Next(1, 600));
            var current = RetentionCutoffs.At(now, now - DefaultLookBack, DefaultHourly, DefaultDaily);

            current.DailyFrom.Should().BeOnOrAfter(previous.DailyFrom);
            current.HourlyFrom.Should().BeOnOrAfter(previous.HourlyFrom);
            previous = current;
        }
    }

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Local)]
    public void NonUtcNowIsRejected(DateTimeKind kind)
    {
        var act = () => RetentionCutoffs.At(new DateTime(2024, 5, 17, 0, 0, 0, kind), Utc(2024, 5, 17), DefaultHourly, DefaultDaily);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "now").WithMessage("*UTC*");
    }

    [Fact]
    public void NonUtcRewritableFromIsRejected()
    {
        var act = () => RetentionCutoffs.At(Utc(2024, 5, 17), new DateTime(2024, 5, 17, 0, 0, 0, DateTimeKind.Unspecified), DefaultHourly, DefaultDaily);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "rewritableFrom").WithMessage("*UTC*");
    }

    [Fact]
    public void AtLeastWithNothingStoredKeepsTheCutoffs()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16));

        cutoffs.AtLeast(null, null).Should().Be(cutoffs);
    }

    [Fact]
    public void AtLeastIgnoresEarlierStoredCutoffs()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16));

        cutoffs.AtLeast(Utc(2024, 3, 1), Utc(2024, 5, 1)).Should().Be(cutoffs);
    }

    [Fact]
    public void AtLeastMovesToLaterStoredCutoffs()
    {
        // The policy was loosened after a compression: what is rolled up stays rolled up.
        var cutoffs = new RetentionCutoffs(Utc(2024, 2, 1), Utc(2024, 5, 10));

        cutoffs.AtLeast(Utc(2024, 4, 1), Utc(2024, 5, 16)).Should().Be(new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16)));
    }

    [Fact]
    public void AtLeastMovesEachCutoffIndependently()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 2, 1), Utc(2024, 5, 16));

        cutoffs.AtLeast(Utc(2024, 4, 1), null).Should().Be(new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16)));
        cutoffs.AtLeast(null, Utc(2024, 5, 17)).Should().Be(new RetentionCutoffs(Utc(2024, 2, 1), Utc(2024, 5, 17)));
        cutoffs.AtLeast(Utc(2024, 1, 1), Utc(2024, 5, 17)).Should().Be(new RetentionCutoffs(Utc(2024, 2, 1), Utc(2024, 5, 17)));
    }

    [Fact]
    public void AtLeastOnlyMovesForwardAndKeepsTheOrder()
    {
        var random = new Random(31);
        for (var i = 0; i < 2000; i++)
        {
            var now = Between(random, Utc(2010, 1, 1), Utc(2030, 1, 1));
            var cutoffs = RetentionCutoffs.At(now, now, DefaultHourly, TimeSpan.FromDays(random.Next(1, 400)));
            var storedNow = Between(random, Utc(2010, 1, 1), Utc(2030, 1, 1));
            var stored = RetentionCutoffs.At(storedNow, storedNow, TimeSpan.FromDays(random.Next(1, 31)), TimeSpan.FromDays(random.Next(31, 400)));
            // The state stores both cut-offs together, or none before the first compression.
            var nothingStored = random.Next(4) == 0;
            var storedDaily = nothingStored ? (DateTime?)null : stored.DailyFrom;
            var storedHourly = nothingStored ? (DateTime?)null : stored.HourlyFrom;

            var result = cutoffs.AtLeast(storedDaily, storedHourly);

            result.DailyFrom.Should().BeOnOrAfter(cutoffs.DailyFrom);
            result.HourlyFrom.Should().BeOnOrAfter(cutoffs.HourlyFrom);
            result.DailyFrom.Should().Be(storedDaily is { } d && d > cutoffs.DailyFrom ? d : cutoffs.DailyFrom);
            result.HourlyFrom.Should().Be(storedHourly is { } h && h > cutoffs.HourlyFrom ? h : cutoffs.HourlyFrom);
            result.DailyFrom.Should().BeOnOrBefore(result.HourlyFrom, "two ordered pairs combine into an ordered pair");
        }
    }

    [Fact]
    public void SizeAtFollowsTheCutoffs()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 4, 1), Utc(2024, 5, 16));

        cutoffs.SizeAt(Utc(2001, 1, 1)).Should().Be(BucketSize.Month);
        cutoffs.SizeAt(Utc(2024, 3, 31, 23, 59, 59)).Should().Be(BucketSize.Month);
        cutoffs.SizeAt(Utc(2024, 4, 1)).Should().Be(BucketSize.Day, "DailyFrom itself is daily");
        cutoffs.SizeAt(Utc(2024, 5, 15, 23, 59, 59)).Should().Be(BucketSize.Day);
        cutoffs.SizeAt(Utc(2024, 5, 16)).Should().Be(BucketSize.Hour, "HourlyFrom itself is hourly");
        cutoffs.SizeAt(Utc(2099, 1, 1)).Should().Be(BucketSize.Hour, "the future is hourly");
    }

    [Fact]
    public void SizeAtWithoutADailyRangeSkipsDays()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 5, 1), Utc(2024, 5, 1));

        cutoffs.SizeAt(Utc(2024, 4, 30, 23)).Should().Be(BucketSize.Month);
        cutoffs.SizeAt(Utc(2024, 5, 1)).Should().Be(BucketSize.Hour);
    }
}
