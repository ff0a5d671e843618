using FluentAssertions;
using StatsCache.Internal;

namespace StatsCache.Tests.DependencyInjection;

/// <summary>CommandTimeout and MaxRowsPerChunk are validated at start-up, naming the option and the allowed range.</summary>
public class MaintenanceOptionsValidationTests
{
    private static StatisticsCacheOptions Valid() => new()
    {
        ConnectionString = "Host=localhost;Database=app",
        Sessions = { Table = "chat_sessions" },
        HumanMessages = { Table = "human_messages" },
    };

    [Fact]
    public void DefaultsAreValid()
    {
        var options = Valid();
        options.CommandTimeout.Should().Be(TimeSpan.FromMinutes(10));
        options.MaxRowsPerChunk.Should().Be(2_000_000);
        StatisticsCacheOptionsValidator.Problems(options, new StatisticsCacheMarker()).Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(0.5)]
    [InlineData(24 * 3600 + 1)]
    public void ACommandTimeoutOutOfRangeIsRefused(double seconds)
    {
        var options = Valid();
        options.CommandTimeout = TimeSpan.FromSeconds(seconds);

        StatisticsCacheOptionsValidator.Problems(options, new StatisticsCacheMarker()).Should()
            .ContainSingle(p => p.StartsWith("StatisticsCacheOptions.CommandTimeout is", StringComparison.Ordinal) && p.Contains("allowed is 1 second to 24 hours", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_000_001)]
    public void AMaxRowsPerChunkOutOfRangeIsRefused(long rows)
    {
        var options = Valid();
        options.MaxRowsPerChunk = rows;

        StatisticsCacheOptionsValidator.Problems(options, new StatisticsCacheMarker()).Should()
            .ContainSingle(p => p.StartsWith("StatisticsCacheOptions.MaxRowsPerChunk is", StringComparison.Ordinal) && p.Contains("allowed is 1 to 1,000,000,000", StringComparison.Ordinal));
    }

    [Fact]
    public void BoundariesAreAccepted()
    {
        foreach (var (timeout, rows) in new[] { (TimeSpan.FromSeconds(1), 1L), (TimeSpan.FromHours(24), 1_000_000_000L) })
        {
            var options = Valid();
            (options.CommandTimeout, options.MaxRowsPerChunk) = (timeout, rows);
            StatisticsCacheOptionsValidator.Problems(options, new StatisticsCacheMarker()).Should().BeEmpty();
        }
    }
}
