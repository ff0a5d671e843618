using FluentAssertions;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

public class BucketCalendarTests
{
    public static TheoryData<DateTime, BucketSize, DateTime> FloorCases => new()
    {
        { Utc(2024, 5, 17, 13, 42, 7), BucketSize.Hour, Utc(2024, 5, 17, 13) },
        { Utc(2024, 5, 17, 13, 42, 7), BucketSize.Day, Utc(2024, 5, 17) },
        { Utc(2024, 5, 17, 13, 42, 7), BucketSize.Month, Utc(2024, 5, 1) },
        { Utc(2024, 5, 17, 13), BucketSize.Hour, Utc(2024, 5, 17, 13) },
        { Utc(2024, 5, 1), BucketSize.Month, Utc(2024, 5, 1) },
        { Utc(2023, 12, 31, 23, 59, 59), BucketSize.Hour, Utc(2023, 12, 31, 23) },
        { Utc(2023, 12, 31, 23, 59, 59), BucketSize.Day, Utc(2023, 12, 31) },
        { Utc(2023, 12, 31, 23, 59, 59), BucketSize.Month, Utc(2023, 12, 1) },
        { Utc(2024, 2, 29, 12), BucketSize.Day, Utc(2024, 2, 29) },
        { Utc(2024, 2, 29, 12), BucketSize.Month, Utc(2024, 2, 1) },
        { Utc(2023, 2, 28, 23, 30), BucketSize.Month, Utc(2023, 2, 1) },
    };

    public static TheoryData<DateTime, BucketSize, DateTime> EndCases => new()
    {
        { Utc(2024, 5, 17, 13), BucketSize.Hour, Utc(2024, 5, 17, 14) },
        { Utc(2024, 5, 17, 23), BucketSize.Hour, Utc(2024, 5, 18) },
        { Utc(2023, 12, 31, 23), BucketSize.Hour, Utc(2024, 1, 1) },
        { Utc(2023, 12, 31), BucketSize.Day, Utc(2024, 1, 1) },
        { Utc(2023, 12, 1), BucketSize.Month, Utc(2024, 1, 1) },
        { Utc(2024, 2, 28), BucketSize.Day, Utc(2024, 2, 29) },
        { Utc(2024, 2, 29), BucketSize.Day, Utc(2024, 3, 1) },
        { Utc(2023, 2, 28), BucketSize.Day, Utc(2023, 3, 1) },
        { Utc(2024, 1, 1), BucketSize.Month, Utc(2024, 2, 1) },
        { Utc(2024, 2, 1), BucketSize.Month, Utc(2024, 3, 1) },
        { Utc(2023, 2, 1), BucketSize.Month, Utc(2023, 3, 1) },
        { Utc(2024, 4, 1), BucketSize.Month, Utc(2024, 5, 1) },
        { Utc(2024, 4, 30), BucketSize.Day, Utc(2024, 5, 1) },
    };

    public static TheoryData<DateTime, BucketSize, DateTime> CeilingCases => new()
    {
        { Utc(2023, 12, 31, 23, 59), BucketSize.Hour, Utc(2024, 1, 1) },
        { Utc(2023, 12, 31, 23, 59), BucketSize.Day, Utc(2024, 1, 1) },
        { Utc(2023, 12, 31, 23, 59), BucketSize.Month, Utc(2024, 1, 1) },
        { Utc(2023, 12, 15), BucketSize.Month, Utc(2024, 1, 1) },
        { Utc(2024, 2, 29, 0, 0, 1), BucketSize.Day, Utc(2024, 3, 1) },
        { Utc(2024, 2, 28, 6), BucketSize.Day, Utc(2024, 2, 29) },
        { Utc(2023, 2, 28, 6), BucketSize.Day, Utc(2023, 3, 1) },
        { Utc(2024, 2, 10), BucketSize.Month, Utc(2024, 3, 1) },
        { Utc(2024, 5, 17, 13, 0, 1), BucketSize.Hour, Utc(2024, 5, 17, 14) },
        // Already on a boundary: unchanged.
        { Utc(2024, 5, 17, 13), BucketSize.Hour, Utc(2024, 5, 17, 13) },
        { Utc(2024, 5, 17), BucketSize.Day, Utc(2024, 5, 17) },
        { Utc(2024, 3, 1), BucketSize.Month, Utc(2024, 3, 1) },
    };

    [Theory]
    [MemberData(nameof(FloorCases))]
    public void FloorIsTheStartOfTheContainingBucket(DateTime utc, BucketSize size, DateTime expected)
    {
        var floor = BucketCalendar.Floor(utc, size);

        floor.Should().Be(expected);
        floor.Kind.Should().Be(DateTimeKind.Utc);
    }

    [Theory]
    [MemberData(nameof(EndCases))]
    public void EndIsTheStartOfTheNextBucket(DateTime start, BucketSize size, DateTime expected) =>
        BucketCalendar.End(start, size).Should().Be(expected);

    [Theory]
    [MemberData(nameof(CeilingCases))]
    public void CeilingIsTheFirstBoundaryAtOrAfter(DateTime utc, BucketSize size, DateTime expected)
    {
        var ceiling = BucketCalendar.Ceiling(utc, size);

        ceiling.Should().Be(expected);
        ceiling.Kind.Should().Be(DateTimeKind.Utc);
    }

    [Fact]
    public void MonthBucketsHaveTheirCalendarLength()
    {
        var lengths = Enumerable.Range(1, 12)
            .Select(m => (BucketCalendar.End(Utc(2024, m, 1), BucketSize.Month) - Utc(2024, m, 1)).TotalDays)
            .ToArray();

        lengths.Should().Equal(31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31);
        (BucketCalendar.End(Utc(2023, 2, 1), BucketSize.Month) - Utc(2023, 2, 1)).TotalDays.Should().Be(28);
    }

    [Fact]
    public void FloorAndEndBracketEveryInstant()
    {
        var random = new Random(20240229);
        for (var i = 0; i < 2000; i++)
        {
            var instant = Between(random, Utc(2000, 1, 1), Utc(2040, 1, 1));
            foreach (var size in Enum.GetValues<BucketSize>())
            {
                var floor = BucketCalendar.Floor(instant, size);
                var end = BucketCalendar.End(floor, size);
                var ceiling = BucketCalendar.Ceiling(instant, size);

                floor.Should().BeOnOrBefore(instant);
                end.Should().BeAfter(instant);
                BucketCalendar.Floor(floor, size).Should().Be(floor, "a floor is its own floor");
                BucketCalendar.Floor(end, size).Should().Be(end, "an end is a boundary of the same size");
                ceiling.Should().Be(floor == instant ? floor : end);
            }
        }
    }

    [Fact]
    public void CoarserBucketsAreMadeOfWholeFinerBuckets()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var instant = Between(random, Utc(2000, 1, 1), Utc(2040, 1, 1));
            var month = BucketCalendar.Floor(instant, BucketSize.Month);
            var day = BucketCalendar.Floor(instant, BucketSize.Day);
            var hour = BucketCalendar.Floor(instant, BucketSize.Hour);

            month.Should().BeOnOrBefore(day);
            day.Should().BeOnOrBefore(hour);
            BucketCalendar.Floor(month, BucketSize.Day).Should().Be(month);
            BucketCalendar.Floor(day, BucketSize.Hour).Should().Be(day);
        }
    }

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Local)]
    public void FloorRejectsNonUtc(DateTimeKind kind)
    {
        var act = () => BucketCalendar.Floor(new DateTime(2024, 5, 17, 13, 0, 0, kind), BucketSize.Day);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "utc")
            .WithMessage("*UTC*")
            .WithMessage($"*Kind={kind}*");
    }

    [Fact]
    public void CeilingRejectsNonUtc()
    {
        var act = () => BucketCalendar.Ceiling(new DateTime(2024, 5, 17, 13, 30, 0, DateTimeKind.Unspecified), BucketSize.Hour);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "utc").WithMessage("*UTC*");
    }

    [Fact]
    public void UnknownSizeIsRejected()
    {
        var act = () => BucketCalendar.Floor(Utc(2024, 1, 1), (BucketSize)42);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "size");
    }

    [Theory]
    [InlineData(BucketSize.Hour, "hour")]
    [InlineData(BucketSize.Day, "day")]
    [InlineData(BucketSize.Month, "month")]
    public void SqlUnitsMatchPostgresDateTrunc(BucketSize size, string unit) =>
        BucketCalendar.SqlUnit(size).Should().Be(unit);

    [Fact]
    public void BucketSizesAreOrderedFromFineToCoarse() =>
        Enum.GetValues<BucketSize>().Should().BeInAscendingOrder().And.Equal(BucketSize.Hour, BucketSize.Day, BucketSize.Month);
}
