using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StatsCache.Hosting;

namespace StatsCache.Tests.DependencyInjection;

public class HostedMaintenanceOptionsTests
{
    public static TheoryData<string, Action<HostedMaintenanceOptions>> BadOptions => new()
    {
        { "HostedMaintenanceOptions.RefreshInterval", o => o.RefreshInterval = TimeSpan.Zero },
        { "HostedMaintenanceOptions.RefreshInterval", o => o.RefreshInterval = TimeSpan.FromMinutes(-2) },
        { "HostedMaintenanceOptions.RefreshInterval", o => o.RefreshInterval = TimeSpan.FromDays(2) },
        { "HostedMaintenanceOptions.CompressInterval", o => o.CompressInterval = TimeSpan.Zero },
        { "HostedMaintenanceOptions.CompressInterval", o => o.CompressInterval = TimeSpan.FromDays(32) },
        { "HostedMaintenanceOptions.VerifyInterval", o => o.VerifyInterval = TimeSpan.FromSeconds(30) },
        { "HostedMaintenanceOptions.VerifyInterval", o => o.VerifyInterval = TimeSpan.FromDays(-1) },
        { "HostedMaintenanceOptions.VerifyInterval", o => o.VerifyInterval = TimeSpan.FromDays(367) },
        { "HostedMaintenanceOptions.StartJitter", o => o.StartJitter = TimeSpan.FromSeconds(-1) },
        { "HostedMaintenanceOptions.StartJitter", o => o.StartJitter = TimeSpan.FromHours(2) },
    };

    private static void ValidCache(StatisticsCacheOptions o)
    {
        o.ConnectionString = "Host=localhost;Database=app";
        o.Sessions.Table = "chat_sessions";
        o.HumanMessages.Table = "human_messages";
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task HostStartFailsOnABadScheduleNamingTheOption(string option, Action<HostedMaintenanceOptions> breakIt)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddStatisticsCache(ValidCache).AddHostedMaintenance(breakIt);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var failure = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<HostedMaintenanceOptions>();
        failure.Message.Should().Contain(option).And.Contain("allowed");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void AMissingOrZeroVerifyIntervalDisablesVerifiesAndIsValid(int? hours)
    {
        var o = new HostedMaintenanceOptions { VerifyInterval = hours is { } h ? TimeSpan.FromHours(h) : null };

        HostedMaintenanceOptionsValidator.Problems(o).Should().BeEmpty();
    }

    [Fact]
    public void TheDefaultsAreTwoMinutesOneHourOneDayAndTenSeconds()
    {
        var o = new HostedMaintenanceOptions();

        (o.RefreshInterval, o.CompressInterval, o.VerifyInterval, o.StartJitter)
            .Should().Be((TimeSpan.FromMinutes(2), TimeSpan.FromHours(1), (TimeSpan?)TimeSpan.FromDays(1), TimeSpan.FromSeconds(10)));
        HostedMaintenanceOptionsValidator.Problems(o).Should().BeEmpty();
    }

    [Fact]
    public void AddingItTwiceRegistersOneServiceAndKeepsBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(ValidCache)
            .AddHostedMaintenance(o => o.RefreshInterval = TimeSpan.FromMinutes(5))
            .AddHostedMaintenance(o => o.StartJitter = TimeSpan.Zero);

        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        var o = provider.GetRequiredService<IOptions<HostedMaintenanceOptions>>().Value;
        (o.RefreshInterval, o.StartJitter).Should().Be((TimeSpan.FromMinutes(5), TimeSpan.Zero));
    }

    [Fact]
    public void ANamedCacheIsRefusedNamingItRatherThanMaintainingTheDefaultCache()
    {
        var services = new ServiceCollection();
        var named = services.AddStatisticsCache("reporting", o =>
        {
            ValidCache(o);
            o.Schema = "reporting_stats";
        });

        var refusal = named.Invoking(b => b.AddHostedMaintenance()).Should().Throw<NotSupportedException>().Which;
        refusal.Message.Should().Contain("'reporting'").And.Contain("FromKeyedServices");
        services.Should().NotContain(d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void TheStartJitterIsDrawnFromZeroToTheMaximumAndIsDeterministicForASeed()
    {
        var max = TimeSpan.FromSeconds(10);
        var draws = Enumerable.Range(0, 1000).Select(_ => HostedMaintenanceService.Jitter(max, new Random(42))).Distinct().ToList();
        draws.Should().ContainSingle("the same seed draws the same delay");

        var random = new Random(7);
        var spread = Enumerable.Range(0, 1000).Select(_ => HostedMaintenanceService.Jitter(max, random)).ToList();
        spread.Should().OnlyContain(d => d >= TimeSpan.Zero && d < max);
        spread.Distinct().Count().Should().BeGreaterThan(100, "the delays are spread over the range");
        HostedMaintenanceService.Jitter(TimeSpan.Zero, random).Should().Be(TimeSpan.Zero);
    }
}
