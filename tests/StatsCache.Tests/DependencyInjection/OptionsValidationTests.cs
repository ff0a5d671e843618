using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StatsCache.Tests.DependencyInjection;

public class OptionsValidationTests
{
    /// <summary>Options that pass validation; each test breaks one thing.</summary>
    private static void Valid(StatisticsCacheOptions o)
    {
        o.ConnectionString = "Host=localhost;Database=app";
        o.Sessions.Table = "chat_sessions";
        o.HumanMessages.Table = "human_messages";
    }

    public static TheoryData<string, Action<StatisticsCacheOptions>> BadOptions => new()
    {
        { "StatisticsCacheOptions.LookBack", o => o.LookBack = TimeSpan.FromSeconds(-1) },
        { "StatisticsCacheOptions.LookBack", o => o.LookBack = TimeSpan.FromDays(1) },
        { "StatisticsCacheOptions.LookBack", o => (o.HourlyRetention, o.LookBack) = (TimeSpan.FromDays(2), TimeSpan.FromDays(3)) },
        { "StatisticsCacheOptions.HourlyRetention", o => o.HourlyRetention = TimeSpan.FromHours(23) },
        { "StatisticsCacheOptions.HourlyRetention", o => (o.HourlyRetention, o.DailyRetention) = (TimeSpan.FromDays(32), TimeSpan.FromDays(60)) },
        { "StatisticsCacheOptions.DailyRetention", o => o.DailyRetention = TimeSpan.FromHours(12) },
        { "StatisticsCacheOptions.DailyRetention", o => (o.HourlyRetention, o.DailyRetention) = (TimeSpan.FromDays(7), TimeSpan.FromDays(6)) },
        { "StatisticsCacheOptions.DailyRetention", o => o.DailyRetention = TimeSpan.FromDays(3661) },
        { "StatisticsCacheOptions.DefaultReadMode", o => o.DefaultReadMode = (StatsCache.ReadMode)7 },
        { "StatisticsCacheOptions.ConnectionString", o => o.ConnectionString = null },
        { "StatisticsCacheOptions.ConnectionString", o => o.ConnectionString = "  " },
        { "StatisticsCacheOptions.Sessions", o => o.Sessions.Table = null },
        { "StatisticsCacheOptions.HumanMessages", o => o.HumanMessages.Table = null },
        { "StatisticsCacheOptions.Sessions", o => o.Sessions.Sql = "SELECT * FROM s" },
        { "StatisticsCacheOptions.Sessions.Table", o => o.Sessions.Table = "chat sessions" },
        { "StatisticsCacheOptions.Sessions column for created_at", o => o.Sessions.CreatedAtColumn = "created_at; --" },
        { "StatisticsCacheOptions.HumanMessages.Schema", o => o.HumanMessages.Schema = "1app" },
        { "StatisticsCacheOptions.Versions.Sql", o => o.Versions.Sql = "DELETE FROM versions" },
        { "StatisticsCacheOptions.Schema", o => o.Schema = "stats\"; drop schema public cascade; --" },
        { "StatisticsCacheOptions.Schema", o => o.Schema = "" },
        { "StatisticsCacheOptions.CacheName", o => o.CacheName = "my cache" },
        { "StatisticsCacheOptions.CacheName", o => o.CacheName = "" },
        { "StatisticsCacheOptions.CacheName", o => o.CacheName = new string('c', 64) },
        { "StatisticsCacheOptions.TimeZone", o => o.TimeZone = "Asia/Kolkata" },
        { "StatisticsCacheOptions.TimeZone", o => o.TimeZone = "America/Havana" },
        { "StatisticsCacheOptions.TimeZone", o => o.TimeZone = "Mars/Olympus_Mons" },
        { "StatisticsCacheOptions.TimeZone", o => o.TimeZone = "W. Europe Standard Time" },
        { "StatisticsCacheOptions.TimeZone", o => o.TimeZone = "" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void ResolvingBadOptionsThrowsNamingTheOption(string option, Action<StatisticsCacheOptions> breakIt)
    {
        using var provider = Services(o =>
        {
            Valid(o);
            breakIt(o);
        }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        var failure = act.Should().Throw<OptionsValidationException>().Which;
        failure.OptionsType.Should().Be<StatisticsCacheOptions>();
        failure.Failures.Should().Contain(f => f.StartsWith(option + " ", StringComparison.Ordinal) || f.StartsWith(option + ":", StringComparison.Ordinal) || f.StartsWith(option + ".", StringComparison.Ordinal));
        failure.Message.Should().Contain(option);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task HostStartFailsOnBadOptions(string option, Action<StatisticsCacheOptions> breakIt)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStatisticsCache(o =>
        {
            Valid(o);
            breakIt(o);
        });
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(option);
    }

    [Fact]
    public async Task HostStartsWithValidOptions()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStatisticsCache(Valid);
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        host.Services.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value.Sessions.Table.Should().Be("chat_sessions");
    }

    [Fact]
    public void ValidOptionsResolve()
    {
        using var provider = Services(Valid).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        options.ConnectionString.Should().Be("Host=localhost;Database=app");
        options.LookBack.Should().Be(TimeSpan.FromMinutes(15));
        options.HourlyRetention.Should().Be(TimeSpan.FromDays(1));
        options.DailyRetention.Should().Be(TimeSpan.FromDays(30));
        options.CacheName.Should().Be("default");
    }

    [Fact]
    public void BoundaryValuesAreAccepted()
    {
        using var provider = Services(o =>
        {
            Valid(o);
            o.LookBack = TimeSpan.Zero;
            o.HourlyRetention = TimeSpan.FromDays(31);
            o.DailyRetention = TimeSpan.FromDays(31);
            o.Schema = "stats";
            o.CacheName = "tenant_b";
            o.Versions.Sql = "WITH v AS (SELECT 1 AS session_id, 'a' AS version) SELECT * FROM v";
        }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        act.Should().NotThrow();
    }

    [Fact]
    public void AHalfHourZoneIsRefusedSayingWhy()
    {
        using var provider = Services(o =>
        {
            Valid(o);
            o.TimeZone = "Asia/Kolkata";
        }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("StatisticsCacheOptions.TimeZone 'Asia/Kolkata'").And.Contain("+05:30").And.Contain("not a whole number of hours");
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Santiago")]
    public void WholeHourZonesAreAccepted(string zone)
    {
        using var provider = Services(o =>
        {
            Valid(o);
            o.TimeZone = zone;
        }).BuildServiceProvider();

        provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value.TimeZone.Should().Be(zone);
    }

    [Fact]
    public void LookBackJustBelowHourlyRetentionIsAccepted()
    {
        using var provider = Services(o =>
        {
            Valid(o);
            o.LookBack = TimeSpan.FromDays(1) - TimeSpan.FromTicks(1);
        }).BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value).Should().NotThrow();
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        using var provider = Services(o =>
        {
            o.LookBack = TimeSpan.FromMinutes(-5);
            o.CacheName = "a b";
        }).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(5).And.SatisfyRespectively(
            f => f.Should().StartWith("StatisticsCacheOptions.ConnectionString"),
            f => f.Should().StartWith("StatisticsCacheOptions.CacheName"),
            f => f.Should().StartWith("StatisticsCacheOptions.Sessions"),
            f => f.Should().StartWith("StatisticsCacheOptions.HumanMessages"),
            f => f.Should().StartWith("StatisticsCacheOptions.LookBack"));
    }

    [Fact]
    public void ConnectionStringIsOptionalWhenBoundToADbContext()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o =>
        {
            Valid(o);
            o.ConnectionString = null;
        }).UseDbContext<CacheContext>();
        services.AddDbContext<CacheContext>(o => o.UseNpgsql("Host=localhost;Database=never_opened"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        act.Should().NotThrow();
    }

    /// <summary>The bound context's model is read at start-up, so a context that cannot be built stops the host, naming it.</summary>
    [Fact]
    public void ABoundDbContextThatCannotBeBuiltStopsTheHost()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o =>
        {
            Valid(o);
            o.ConnectionString = null;
        }).UseDbContext<EmptyContext>();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("could not build EmptyContext");
    }

    [Fact]
    public void ConfigureCallbacksAccumulate()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o => o.ConnectionString = "Host=localhost");
        services.AddStatisticsCache(o => (o.Sessions.Table, o.HumanMessages.Table) = ("s", "m"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        (options.ConnectionString, options.Sessions.Table, options.HumanMessages.Table).Should().Be(("Host=localhost", "s", "m"));
    }

    [Fact]
    public void RegistrationIsCompleteAndResolvesWithoutADatabase()
    {
        using var provider = Services(Valid).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var cache = provider.GetRequiredService<IStatisticsCache>();

        cache.Should().NotBeNull();
        provider.GetRequiredService<IStatisticsCache>().Should().BeSameAs(cache, "the cache is a singleton");
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void AHostTimeProviderIsKept()
    {
        var services = new ServiceCollection();
        var clock = new FixedClock();
        services.AddSingleton<TimeProvider>(clock);
        services.AddStatisticsCache(Valid);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(clock);
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        FluentActions.Invoking(() => new ServiceCollection().AddStatisticsCache((Action<StatisticsCacheOptions>)null!))
            .Should().Throw<ArgumentNullException>().Where(e => e.ParamName == "configure");
        FluentActions.Invoking(() => ((IServiceCollection)null!).AddStatisticsCache(Valid))
            .Should().Throw<ArgumentNullException>().Where(e => e.ParamName == "services");
    }

    private static ServiceCollection Services(Action<StatisticsCacheOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(configure);
        return services;
    }

    private sealed class FixedClock : TimeProvider;

    private sealed class EmptyContext(DbContextOptions<EmptyContext> options) : DbContext(options);

    private sealed class CacheContext(DbContextOptions<CacheContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache();
    }
}
