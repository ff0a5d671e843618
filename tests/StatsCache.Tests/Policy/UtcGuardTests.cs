using FluentAssertions;
using StatsCache.Policy;

namespace StatsCache.Tests.Policy;

public class UtcGuardTests
{
    [Fact]
    public void UtcPasses()
    {
        var act = () => UtcGuard.Require(DateTime.UtcNow, "when");

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Local)]
    public void NonUtcThrowsNamingTheParameter(DateTimeKind kind)
    {
        var act = () => UtcGuard.Require(new DateTime(2024, 1, 2, 3, 4, 5, kind), "when");

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "when")
            .WithMessage("'when' must be a UTC DateTime*")
            .WithMessage("*ToUniversalTime()*");
    }

    [Fact]
    public void NullableNullPasses()
    {
        var act = () => UtcGuard.Require((DateTime?)null, "when");

        act.Should().NotThrow();
    }

    [Fact]
    public void NullableNonUtcThrows()
    {
        var act = () => UtcGuard.Require((DateTime?)new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Unspecified), "when");

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "when");
    }
}
