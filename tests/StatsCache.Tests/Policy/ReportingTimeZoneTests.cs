using FluentAssertions;
using StatsCache.Policy;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

/// <summary>
/// Day and month boundaries in a reporting time zone: local midnights as UTC instants, 23- and
/// 25-hour days on DST changes, and the zones that are refused (with the reason in the message).
/// </summary>
public class ReportingTimeZoneTests
{
    private static readonly ReportingTimeZone Berlin = ReportingTimeZone.FromId("Europe/Berlin");
    private static readonly ReportingTimeZone NewYork = ReportingTimeZone.FromId("America/New_York");
    private static readonly ReportingTimeZone Sydney = ReportingTimeZone.FromId("Australia/Sydney");
    private static readonly ReportingTimeZone Santiago = ReportingTimeZone.FromId("America/Santiago");

    /// <summary>Accepted zones of all kinds: northern and southern DST, none, and DST gaps that start at midnight.</summary>
    public static TheoryData<string> AcceptedZones => new()
    {
        "UTC", "Etc/UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Australia/Sydney",
        "Pacific/Auckland", "Asia/Tokyo", "Asia/Singapore", "America/Santiago", "America/Sao_Paulo", "Asia/Beirut", "Africa/Cairo",
    };

    public static TheoryData<string, string, DateTime, DateTime, DateTime> DayCases => new()
    {
        // zone, name, an instant, start of its local day, end of that day
        // Berlin, last Sunday of March 2024: 02:00 CET → 03:00 CEST, a 23-hour day.
        { "Europe/Berlin", "spring forward", Utc(2024, 3, 31, 12), Utc(2024, 3, 30, 23), Utc(2024, 3, 31, 22) },
        // The last CET hour of 30 March (23:00–24:00 local) still belongs to 30 March.
        { "Europe/Berlin", "hour before the 23-hour day", Utc(2024, 3, 30, 22, 59, 59), Utc(2024, 3, 29, 23), Utc(2024, 3, 30, 23) },
        // Berlin, last Sunday of October 2024: 03:00 CEST → 02:00 CET, a 25-hour day.
        { "Europe/Berlin", "fall back", Utc(2024, 10, 27, 1, 30), Utc(2024, 10, 26, 22), Utc(2024, 10, 27, 23) },
        { "Europe/Berlin", "last hour of the 25-hour day", Utc(2024, 10, 27, 22, 59, 59), Utc(2024, 10, 26, 22), Utc(2024, 10, 27, 23) },
        { "Europe/Berlin", "winter", Utc(2024, 1, 15, 23, 30), Utc(2024, 1, 15, 23), Utc(2024, 1, 16, 23) },
        // New York, 10 March / 3 November 2024.
        { "America/New_York", "spring forward", Utc(2024, 3, 10, 12), Utc(2024, 3, 10, 5), Utc(2024, 3, 11, 4) },
        { "America/New_York", "fall back", Utc(2024, 11, 3, 12), Utc(2024, 11, 3, 4), Utc(2024, 11, 4, 5) },
        { "America/New_York", "UTC date ahead of local date", Utc(2024, 7, 4, 2), Utc(2024, 7, 3, 4), Utc(2024, 7, 4, 4) },
        // Sydney (southern hemisphere): DST ends 7 April 2024 (25 hours), starts 6 October 2024 (23 hours).
        { "Australia/Sydney", "fall back", Utc(2024, 4, 7, 5), Utc(2024, 4, 6, 13), Utc(2024, 4, 7, 14) },
        { "Australia/Sydney", "spring forward", Utc(2024, 10, 6, 5), Utc(2024, 10, 5, 14), Utc(2024, 10, 6, 13) },
        // Santiago skips local midnight on 8 September 2024 (00:00 -04 → 01:00 -03): the day starts at the
        // change, as PostgreSQL's date_trunc reads the skipped midnight (offset before the change).
        { "America/Santiago", "day beginning with a DST gap", Utc(2024, 9, 8, 12), Utc(2024, 9, 8, 4), Utc(2024, 9, 9, 3) },
        { "America/Santiago", "day before the gap", Utc(2024, 9, 8, 3, 59, 59), Utc(2024, 9, 7, 4), Utc(2024, 9, 8, 4) },
        // Santiago turns back from 00:00 -03 to 23:00 -04 on 6 April 2024: 23:00–24:00 of the 6th occurs twice.
        { "America/Santiago", "25-hour day ending with an overlap", Utc(2024, 4, 7, 3, 30), Utc(2024, 4, 6, 3), Utc(2024, 4, 7, 4) },
    };

    [Theory]
    [MemberData(nameof(DayCases))]
    public void DaysStartAtLocalMidnight(string zoneId, string name, DateTime instant, DateTime start, DateTime end)
    {
        var zone = ReportingTimeZone.FromId(zoneId);

        var floor = BucketCalendar.Floor(instant, BucketSize.Day, zone);

        floor.Should().Be(start, name);
        floor.Kind.Should().Be(DateTimeKind.Utc);
        BucketCalendar.End(floor, BucketSize.Day, zone).Should().Be(end, name);
        BucketCalendar.Ceiling(instant, BucketSize.Day, zone).Should().Be(floor == instant ? floor : end, name);
    }

    [Fact]
    public void DstChangeDaysAreTwentyThreeAndTwentyFiveHoursLong()
    {
        Length(Berlin, Utc(2024, 3, 31, 12)).Should().Be(TimeSpan.FromHours(23));
        Length(Berlin, Utc(2024, 10, 27, 12)).Should().Be(TimeSpan.FromHours(25));
        Length(Berlin, Utc(2024, 6, 1, 12)).Should().Be(TimeSpan.FromHours(24));
        Length(NewYork, Utc(2024, 3, 10, 12)).Should().Be(TimeSpan.FromHours(23));
        Length(NewYork, Utc(2024, 11, 3, 12)).Should().Be(TimeSpan.FromHours(25));
        Length(Sydney, Utc(2024, 4, 7, 5)).Should().Be(TimeSpan.FromHours(25));
        Length(Sydney, Utc(2024, 10, 6, 5)).Should().Be(TimeSpan.FromHours(23));
        Length(Santiago, Utc(2024, 9, 8, 12)).Should().Be(TimeSpan.FromHours(23));

        static TimeSpan Length(ReportingTimeZone zone, DateTime instant)
        {
            var start = BucketCalendar.Floor(instant, BucketSize.Day, zone);
            return BucketCalendar.End(start, BucketSize.Day, zone) - start;
        }
    }

    [Fact]
    public void MonthsStartAtTheLocalFirstOfTheMonth()
    {
        // April 2024 in Berlin starts at 00:00 CEST = 31 March 22:00 UTC; March at 00:00 CET = 29 February 23:00 UTC.
        BucketCalendar.Floor(Utc(2024, 4, 15), BucketSize.Month, Berlin).Should().Be(Utc(2024, 3, 31, 22));
        BucketCalendar.Floor(Utc(2024, 3, 31, 21, 59), BucketSize.Month, Berlin).Should().Be(Utc(2024, 2, 29, 23));
        BucketCalendar.End(Utc(2024, 2, 29, 23), BucketSize.Month, Berlin).Should().Be(Utc(2024, 3, 31, 22));
        BucketCalendar.End(Utc(2024, 9, 30, 22), BucketSize.Month, Berlin).Should().Be(Utc(2024, 10, 31, 23), "October ends in CET");
        // In New York the first of the month begins on the previous UTC day.
        BucketCalendar.Floor(Utc(2024, 1, 1, 3), BucketSize.Month, NewYork).Should().Be(Utc(2023, 12, 1, 5));
        BucketCalendar.Floor(Utc(2024, 1, 1, 5), BucketSize.Month, NewYork).Should().Be(Utc(2024, 1, 1, 5));
    }

    [Fact]
    public void HoursStayUtcHoursInEveryZone()
    {
        BucketCalendar.Floor(Utc(2024, 3, 31, 1, 30), BucketSize.Hour, Berlin).Should().Be(Utc(2024, 3, 31, 1));
        BucketCalendar.End(Utc(2024, 10, 27, 0), BucketSize.Hour, Berlin).Should().Be(Utc(2024, 10, 27, 1), "an hour is 60 minutes, also while clocks turn back");
    }

    [Fact]
    public void UtcZoneIsThePlainUtcCalendar()
    {
        var utc = ReportingTimeZone.FromId("UTC");
        utc.Should().BeSameAs(ReportingTimeZone.Utc);
        utc.IsUtc.Should().BeTrue();
        var random = new Random(11);
        for (var i = 0; i < 500; i++)
        {
            var instant = Between(random, Utc(2000, 1, 1), Utc(2040, 1, 1));
            foreach (var size in Enum.GetValues<BucketSize>())
            {
                BucketCalendar.Floor(instant, size, utc).Should().Be(BucketCalendar.Floor(instant, size));
                BucketCalendar.Floor(instant, size, ReportingTimeZone.FromId("Etc/UTC")).Should().Be(BucketCalendar.Floor(instant, size));
            }
        }
    }

    /// <summary>
    /// The properties the cache relies on, for random instants in accepted zones: a floor is at or before
    /// the instant and its end after it; every day and month starts on a UTC hour (so hourly buckets roll
    /// up into it whole); days are 23 to 25 hours; months are made of whole days.
    /// </summary>
    [Theory]
    [MemberData(nameof(AcceptedZones))]
    public void FloorsBracketEveryInstantAndStartOnUtcHours(string zoneId)
    {
        var zone = ReportingTimeZone.FromId(zoneId);
        var random = new Random(zoneId.Length);
        for (var i = 0; i < 3000; i++)
        {
            var instant = Between(random, Utc(2000, 1, 1), Utc(2060, 1, 1));
            foreach (var size in new[] { BucketSize.Day, BucketSize.Month })
            {
                var floor = BucketCalendar.Floor(instant, size, zone);
                var end = BucketCalendar.End(floor, size, zone);
                var because = $"{zoneId} {size} of {instant:O}";
                floor.Should().BeOnOrBefore(instant, because);
                end.Should().BeAfter(instant, because);
                BucketCalendar.Floor(floor, size, zone).Should().Be(floor, because);
                BucketCalendar.Floor(end, size, zone).Should().Be(end, because);
                BucketCalendar.Floor(floor, BucketSize.Hour).Should().Be(floor, "a local midnight is a UTC hour; " + because);
                BucketCalendar.Floor(BucketCalendar.Floor(instant, BucketSize.Hour), size, zone).Should().Be(floor, "the instant's hour rolls up into the same bucket; " + because);
            }

            var day = BucketCalendar.Floor(instant, BucketSize.Day, zone);
            (BucketCalendar.End(day, BucketSize.Day, zone) - day).TotalHours.Should().BeInRange(23, 25);
            BucketCalendar.Floor(BucketCalendar.Floor(instant, BucketSize.Month, zone), BucketSize.Day, zone)
                .Should().Be(BucketCalendar.Floor(instant, BucketSize.Month, zone), "a month starts on a day");
        }
    }

    [Theory]
    [InlineData("Asia/Kolkata", "+05:30")]
    [InlineData("Asia/Kathmandu", "+05:45")]
    [InlineData("Australia/Adelaide", "not a whole number of hours")]
    [InlineData("America/St_Johns", "-03:30")]
    [InlineData("America/Caracas", "-04:30")]
    public void ZonesWithoutWholeHourOffsetsAreRefused(string zoneId, string expected)
    {
        var problem = ReportingTimeZone.Problem(zoneId);

        problem.Should().Contain(expected).And.Contain("not a whole number of hours").And.Contain("hourly buckets");
        FluentActions.Invoking(() => ReportingTimeZone.FromId(zoneId)).Should().Throw<ArgumentException>().WithMessage($"*{zoneId}*whole number of hours*");
    }

    [Theory]
    [InlineData("America/Havana")]
    [InlineData("Atlantic/Azores")]
    public void ZonesTurningClocksBackAcrossMidnightAreRefused(string zoneId) =>
        ReportingTimeZone.Problem(zoneId).Should().Contain("turns its clocks back across local midnight").And.Contain("ambiguous");

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Nowhere/Atlantis", "not a time zone known")]
    [InlineData("Eastern Standard Time", "not an IANA time zone id")]
    [InlineData("Europe/Berlin'; drop table x; --", "not an IANA time zone id")]
    public void UnknownAndNonIanaIdsAreRefused(string zoneId, string expected) =>
        ReportingTimeZone.Problem(zoneId).Should().Contain(expected);

    [Theory]
    [MemberData(nameof(AcceptedZones))]
    public void AcceptedZonesHaveNoProblem(string zoneId) => ReportingTimeZone.Problem(zoneId).Should().BeNull();

    [Fact]
    public void RetentionCutoffsAreLocalDaysAndMonths()
    {
        // 31 March 2024 12:00 UTC is 14:00 CEST; one day back is 30 March 13:00 CET: hours from 30 March 00:00 CET.
        var cutoffs = RetentionCutoffs.At(Utc(2024, 3, 31, 12), Utc(2024, 3, 31, 12), TimeSpan.FromDays(1), TimeSpan.FromDays(30), Berlin);

        cutoffs.Should().Be(new RetentionCutoffs(Utc(2024, 2, 29, 23), Utc(2024, 3, 29, 23)));
    }

    [Fact]
    public void BackfillChunksFollowLocalMonthsAndDays()
    {
        var cutoffs = new RetentionCutoffs(Utc(2024, 3, 31, 22), Utc(2024, 4, 14, 22)); // 1 April and 15 April, CEST
        var to = Utc(2024, 4, 15, 9);

        var chunks = BackfillPlan.Chunks(Utc(2024, 2, 10, 12), to, cutoffs, Berlin);

        chunks.Should().Equal(
            new BackfillChunk(Utc(2024, 1, 31, 23), Utc(2024, 2, 29, 23), BucketSize.Month),
            new BackfillChunk(Utc(2024, 2, 29, 23), Utc(2024, 3, 31, 22), BucketSize.Month),
            new BackfillChunk(Utc(2024, 3, 31, 22), Utc(2024, 4, 14, 22), BucketSize.Day),
            new BackfillChunk(Utc(2024, 4, 14, 22), to, BucketSize.Hour));
    }

    /// <summary>
    /// Other spellings of UTC are UTC: the same calendar, the same id in the state row (so a cache built as
    /// 'UTC' runs with 'Etc/UTC'), and none of the limits of zones with offsets (e.g. backfills before 2000).
    /// </summary>
    [Theory]
    [InlineData("Etc/UTC")]
    [InlineData("utc")]
    [InlineData("Utc")]
    [InlineData("Etc/Universal")]
    [InlineData("Universal")]
    [InlineData("Zulu")]
    [InlineData("etc/zulu")]
    [InlineData("UCT")]
    [InlineData("GMT")]
    [InlineData("Etc/GMT+0")]
    public void AliasesOfUtcAreTheUtcZone(string id)
    {
        ReportingTimeZone.Problem(id).Should().BeNull();
        var zone = ReportingTimeZone.FromId(id);

        zone.Should().BeSameAs(ReportingTimeZone.Utc);
        zone.Id.Should().Be("UTC", "the state row records one spelling, so a cache built as 'UTC' is the same cache");
        zone.IsUtc.Should().BeTrue();
    }

    [Fact]
    public void ACacheStoredUnderAnAliasOfUtcRunsAsUtcAndAnotherZoneIsStillRefused()
    {
        var guard = () => CacheTimeZoneGuard.Require("Etc/UTC", ReportingTimeZone.FromId("utc"), "default");
        guard.Should().NotThrow();
        FluentActions.Invoking(() => CacheTimeZoneGuard.Require("UTC", ReportingTimeZone.FromId("Etc/UTC"), "default")).Should().NotThrow();
        FluentActions.Invoking(() => CacheTimeZoneGuard.Require("Etc/UTC", Berlin, "default")).Should().Throw<InvalidOperationException>();
    }
}
