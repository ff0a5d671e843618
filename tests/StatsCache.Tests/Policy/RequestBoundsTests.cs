using FluentAssertions;
using StatsCache.Policy;
using static StatsCache.Tests.TestTime;

namespace StatsCache.Tests.Policy;

/// <summary>
/// Dates far outside any data are a caller's mistake: refused before anything runs, naming the argument
/// (a backfill from DateTime.MinValue used to run 24,312 empty monthly transactions under the maintenance lock).
/// </summary>
public class RequestBoundsTests
{
    private static readonly DateTime Now = Utc(2024, 8, 20, 12);

    public static TheoryData<string, DateTime?> BadBackfillStarts => new()
    {
        { "request.From", DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) },
        { "request.From", Utc(1969, 12, 31, 23) },
        { "request.From", DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) },
        { "request.From", Now.AddTicks(1) },
    };

    [Theory]
    [MemberData(nameof(BadBackfillStarts))]
    public void BackfillsFromOutsideTheBoundsAreRefusedNamingFrom(string argument, DateTime? from)
    {
        var act = () => new BackfillRequest { From = from }.Validate(Now);

        var error = act.Should().Throw<ArgumentOutOfRangeException>().Which;
        error.ParamName.Should().Be(argument);
        error.Message.Should().Contain("1970-01-01");
    }

    [Fact]
    public void BackfillsInsideTheBoundsAreAccepted()
    {
        new BackfillRequest().Validate(Now);
        new BackfillRequest { From = RequestBounds.EarliestFrom }.Validate(Now);
        new BackfillRequest { From = Now }.Validate(Now);
    }

    public static TheoryData<string, DateTime, DateTime> BadReconcileRanges => new()
    {
        { "request.From", DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), Now },
        { "request.From", Utc(1960, 1, 1), Utc(2024, 1, 1) },
        { "request.To", Utc(2024, 1, 1), DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) },
        { "request.To", Utc(2024, 1, 1), Now.AddDays(1).AddTicks(1) },
        { "request.From", Now.AddDays(2), Now.AddDays(3) },
    };

    [Theory]
    [MemberData(nameof(BadReconcileRanges))]
    public void ReconcilesOutsideTheBoundsAreRefusedNamingTheArgument(string argument, DateTime from, DateTime to)
    {
        var act = () => new ReconcileRequest { From = from, To = to }.Validate(Now);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
    }

    [Fact]
    public void ReconcilesInsideTheBoundsAreAccepted()
    {
        new ReconcileRequest { From = RequestBounds.EarliestFrom, To = Now }.Validate(Now);
        new ReconcileRequest { From = Now.AddDays(-1), To = Now.AddDays(1) }.Validate(Now);
    }

    [Theory]
    [InlineData("From", 1, 2024)]
    [InlineData("From", 1969, 2024)]
    [InlineData("To", 2024, 2101)]
    [InlineData("To", 2024, 9999)]
    public void SeriesOutsideTheBoundsAreRefusedNamingTheArgument(string argument, int fromYear, int toYear)
    {
        var act = () => new SeriesRequest { From = Utc(fromYear, 1, 1), To = Utc(toYear, 1, 1), Granularity = BucketSize.Month }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(argument);
    }

    [Fact]
    public void SeriesFromMinValueToMaxValueIsRefused()
    {
        var act = () => new SeriesRequest { From = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), To = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc), Granularity = BucketSize.Month, FillEmpty = true }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("From");
    }

    /// <summary>The fill bound counts every experiment of the call: 1,000 experiments × 30 days × 24 hours is 720,000 points.</summary>
    [Fact]
    public void AZeroFillOfManyExperimentsIsBoundedAsAWhole()
    {
        var month = new SeriesRequest { From = Utc(2024, 7, 1), To = Utc(2024, 7, 31), Granularity = BucketSize.Hour, FillEmpty = true };

        month.Validate(series: 100); // 72,000 points
        var act = () => month.Validate(series: 1_000);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("1000 experiment(s)").And.Contain(SeriesRequest.MaxFilledPoints.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (month with { FillEmpty = false }).Validate(series: 1_000);
    }
}
