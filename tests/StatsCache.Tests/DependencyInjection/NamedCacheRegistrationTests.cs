using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace StatsCache.Tests.DependencyInjection;

/// <summary>Registration of named (keyed) caches: idempotent, independent of the default cache, validated per name.</summary>
public class NamedCacheRegistrationTests
{
    private static void Valid(StatisticsCacheOptions o)
    {
        o.ConnectionString = "Host=localhost;Database=app";
        o.Schema = "reporting_stats";
        o.Sessions.Table = "chat_sessions";
        o.HumanMessages.Table = "human_messages";
    }

    [Fact]
    public void ANamedCacheAloneRegistersOnlyTheKeyedCacheAndStartsUp()
    {
        var services = new ServiceCollection();
        var builder = services.AddStatisticsCache("reporting", Valid);
        builder.Name.Should().Be("reporting");
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetService<IStatisticsCache>().Should().BeNull("no default cache was registered");
        provider.GetRequiredKeyedService<IStatisticsCache>("reporting").Should().NotBeNull();
        provider.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>().Get("reporting").CacheName.Should().Be("reporting");
    }

    [Fact]
    public void RegisteringTheSameNameTwiceAddsToItsOptionsAndRegistersOneCache()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache("reporting", Valid);
        services.AddStatisticsCache("reporting", o => o.CacheName = "reports");
        services.AddStatisticsCache(o => { Valid(o); o.Schema = null; });
        services.AddStatisticsCache(o => o.CacheName = "main");

        services.Count(d => d.ServiceType == typeof(IStatisticsCache) && d.IsKeyedService && Equals(d.ServiceKey, "reporting")).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IStatisticsCache) && !d.IsKeyedService).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>();
        options.Get("reporting").CacheName.Should().Be("reports", "a later call adds to that cache's options");
        options.Get("reporting").Schema.Should().Be("reporting_stats");
        options.CurrentValue.CacheName.Should().Be("main", "the default cache's options are its own");
        options.CurrentValue.Schema.Should().BeNull();
    }

    [Fact]
    public void ABadOptionOfOneNamedCacheNamesItAndLeavesTheOthersValid()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o => { Valid(o); o.Schema = null; });
        services.AddStatisticsCache("reporting", o => { Valid(o); o.HourlyRetention = TimeSpan.FromHours(1); });
        services.AddStatisticsCache("archive", o => { Valid(o); o.Schema = "archive_stats"; });
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();
        start.Should().Throw<OptionsValidationException>()
            .Which.Message.Should().Contain("StatsCache cache 'reporting': StatisticsCacheOptions.HourlyRetention").And.NotContain("archive");
        var options = provider.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>();
        options.Get("archive").Schema.Should().Be("archive_stats");
        options.CurrentValue.CacheName.Should().Be("default");
    }

    [Fact]
    public void UseDataSourceSetsTheDataSourceOfItsOwnCacheOnly()
    {
        var services = new ServiceCollection();
        using var dataSource = Npgsql.NpgsqlDataSource.Create("Host=localhost;Database=reports");
        services.AddStatisticsCache(o => { Valid(o); o.Schema = null; });
        services.AddStatisticsCache("reporting", Valid).UseDataSource(dataSource);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<StatisticsCacheOptions>>();

        options.Get("reporting").DataSource.Should().BeSameAs(dataSource);
        options.CurrentValue.DataSource.Should().BeNull();
    }

    [Fact]
    public async Task AHealthCheckForAnUnregisteredCacheSaysSo()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStatisticsCache(o => { Valid(o); o.Schema = null; });
        services.AddHealthChecks().AddStatisticsCache().AddStatisticsCache("reportng");
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        report.Entries["statscache-reportng"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries.Should().ContainKey("statscache", "the other checks still run");
        report.Entries["statscache-reportng"].Description.Should().Contain("no cache of that name is registered").And.Contain("AddStatisticsCache(\"reportng\"");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void ANameMustNotBeEmpty(string name)
    {
        var register = () => new ServiceCollection().AddStatisticsCache(name, Valid);
        register.Should().Throw<ArgumentException>().WithParameterName(nameof(name));
    }
}
