using System.Text;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StatsCache.Tests.DependencyInjection;

/// <summary><c>AddStatisticsCache(configuration.GetSection("StatsCache"))</c>: every option binds, bad values stop start-up naming the option.</summary>
public class ConfigurationBindingTests
{
    /// <summary>An appsettings.json with every bindable option set to something other than its default.</summary>
    private const string AppSettings = """
        {
          "StatsCache": {
            "ConnectionString": "Host=db;Database=app",
            "Schema": "stats",
            "Sessions": {
              "Schema": "app",
              "Table": "chat_sessions",
              "TeamIdColumn": "team",
              "ExperimentIdColumn": "chatbot_id",
              "SessionIdColumn": "id",
              "ParticipantIdColumn": "participant",
              "CreatedAtColumn": "started_at"
            },
            "HumanMessages": {
              "Sql": "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE is_human",
              "ChangeTrackingTable": "chat_messages"
            },
            "Versions": {
              "Table": "message_versions",
              "TeamIdColumn": "team_id",
              "SessionIdColumn": "chat_session_id",
              "VersionColumn": "label",
              "CreatedAtColumn": "tagged_at"
            },
            "LookBack": "00:05:00",
            "HourlyRetention": "2.00:00:00",
            "DailyRetention": "60.00:00:00",
            "Deletions": "Mirror",
            "ChangeTracking": true,
            "DefaultReadMode": "RealTime",
            "CacheName": "reporting",
            "TimeZone": "Europe/Berlin",
            "CommandTimeout": "00:20:00",
            "MaxRowsPerChunk": 500000,
            "Maintenance": {
              "RefreshInterval": "00:01:00",
              "CompressInterval": "02:00:00",
              "VerifyInterval": "12:00:00",
              "StartJitter": "00:00:00"
            }
          }
        }
        """;

    private static IConfiguration Configuration(string json = AppSettings) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public void EveryOptionBindsFromAnAppSettingsSection()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(Configuration().GetSection("StatsCache"));
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        o.ConnectionString.Should().Be("Host=db;Database=app");
        o.Schema.Should().Be("stats");
        o.Sessions.Should().BeEquivalentTo(new { Schema = "app", Table = "chat_sessions", Sql = (string?)null, TeamIdColumn = "team", ExperimentIdColumn = "chatbot_id", SessionIdColumn = "id", ParticipantIdColumn = "participant", CreatedAtColumn = "started_at" });
        o.HumanMessages.Sql.Should().StartWith("SELECT team_id").And.EndWith("WHERE is_human");
        o.HumanMessages.Table.Should().BeNull();
        o.HumanMessages.ChangeTrackingTable.Should().Be("chat_messages");
        o.Versions.Should().BeEquivalentTo(new { Table = "message_versions", TeamIdColumn = "team_id", SessionIdColumn = "chat_session_id", VersionColumn = "label", CreatedAtColumn = "tagged_at" });
        o.LookBack.Should().Be(TimeSpan.FromMinutes(5));
        o.HourlyRetention.Should().Be(TimeSpan.FromDays(2));
        o.DailyRetention.Should().Be(TimeSpan.FromDays(60));
        o.Deletions.Should().Be(SourceDeletions.Mirror);
        o.ChangeTracking.Should().BeTrue();
        o.DefaultReadMode.Should().Be(ReadMode.RealTime);
        o.CacheName.Should().Be("reporting");
        o.TimeZone.Should().Be("Europe/Berlin");
        o.CommandTimeout.Should().Be(TimeSpan.FromMinutes(20));
        o.MaxRowsPerChunk.Should().Be(500_000);
        o.DataSource.Should().BeNull();
    }

    [Fact]
    public void KeyTypesBindByNameAndAreKnownOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StatsCache:ConnectionString"] = "Host=db",
            ["StatsCache:Sessions:Table"] = "s",
            ["StatsCache:HumanMessages:Table"] = "m",
            ["StatsCache:Keys:TeamId"] = "Guid",
            ["StatsCache:Keys:SessionId"] = "Int32",
        }).Build();
        var services = new ServiceCollection();
        services.AddStatisticsCache(configuration.GetSection("StatsCache"));
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        o.Keys.Should().BeEquivalentTo(new KeyTypeOptions { TeamId = KeyType.Guid, SessionId = KeyType.Int32 });
        StatsCache.Internal.SourceResolution.Resolve(o, new StatsCache.Internal.StatisticsCacheMarker(), model: null).Keys
            .Should().Be(new StatsCache.Policy.CacheKeys(KeyType.Guid, KeyType.Int64, KeyType.Int32, KeyType.Int64));
    }

    [Fact]
    public void CodeRunsAfterTheBindingAndWins()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(Configuration().GetSection("StatsCache"), o => o.LookBack = TimeSpan.FromMinutes(1));
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        o.LookBack.Should().Be(TimeSpan.FromMinutes(1), "code overrides configuration");
        o.CacheName.Should().Be("reporting", "the rest still comes from configuration");
    }

    [Fact]
    public void AnEmptySectionKeepsTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(new ConfigurationBuilder().Build().GetSection("StatsCache"), o =>
        {
            o.ConnectionString = "Host=db";
            o.Sessions.Table = "s";
            o.HumanMessages.Table = "m";
        });
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value;

        o.Should().BeEquivalentTo(new StatisticsCacheOptions(), c => c.Excluding(x => x.ConnectionString).Excluding(x => x.Sessions).Excluding(x => x.HumanMessages));
    }

    [Fact]
    public void TheMaintenanceSubSectionConfiguresHostedMaintenance()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(Configuration().GetSection("StatsCache")).AddHostedMaintenance();
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<HostedMaintenanceOptions>>().Value;

        o.Should().BeEquivalentTo(new HostedMaintenanceOptions
        {
            RefreshInterval = TimeSpan.FromMinutes(1),
            CompressInterval = TimeSpan.FromHours(2),
            VerifyInterval = TimeSpan.FromHours(12),
            StartJitter = TimeSpan.Zero,
        });
    }

    [Fact]
    public void HostedMaintenanceCodeRunsAfterTheMaintenanceSubSection()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(Configuration().GetSection("StatsCache")).AddHostedMaintenance(o => o.VerifyInterval = null);
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<HostedMaintenanceOptions>>().Value;

        o.VerifyInterval.Should().BeNull();
        o.RefreshInterval.Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void HostedMaintenanceBindsAnExplicitSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jobs:Stats:RefreshInterval"] = "00:00:30",
            ["Jobs:Stats:VerifyInterval"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddStatisticsCache(o => { }).AddHostedMaintenance(configuration.GetSection("Jobs:Stats"), o => o.StartJitter = TimeSpan.FromSeconds(1));
        using var provider = services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<HostedMaintenanceOptions>>().Value;

        o.Should().BeEquivalentTo(new HostedMaintenanceOptions { RefreshInterval = TimeSpan.FromSeconds(30), VerifyInterval = TimeSpan.Zero, StartJitter = TimeSpan.FromSeconds(1) });
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        // key, value, what the failure names
        { "LookBack", "-00:01:00", "StatisticsCacheOptions.LookBack" },
        { "HourlyRetention", "12:00:00", "StatisticsCacheOptions.HourlyRetention" },
        { "CommandTimeout", "00:00:00", "StatisticsCacheOptions.CommandTimeout" },
        { "Sessions:Table", "chat sessions", "StatisticsCacheOptions.Sessions.Table" },
        { "TimeZone", "Asia/Kolkata", "StatisticsCacheOptions.TimeZone" },
        { "Deletions", "Forever", "StatsCache:Deletions" },
        { "DefaultReadMode", "Stale", "StatsCache:DefaultReadMode" },
        { "LookBack", "a quarter hour", "StatsCache:LookBack" },
        { "MaxRowsPerChunk", "lots", "StatsCache:MaxRowsPerChunk" },
        { "LookBak", "00:05:00", "StatsCache:LookBak is not an option of StatisticsCacheOptions" },
        { "Sessions:Tabel", "chat_sessions", "StatsCache:Sessions:Tabel is not an option of SessionSourceOptions" },
        { "Maintenance:RefreshEvery", "00:05:00", "StatsCache:Maintenance:RefreshEvery is not an option of HostedMaintenanceOptions" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task ABadValueStopsStartUpNamingTheOption(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StatsCache:ConnectionString"] = "Host=db;Database=app",
            ["StatsCache:Sessions:Table"] = "chat_sessions",
            ["StatsCache:HumanMessages:Table"] = "human_messages",
            ["StatsCache:" + key] = value,
        });
        builder.Services.AddStatisticsCache(builder.Configuration.GetSection("StatsCache"));
        using var host = builder.Build();

        var start = () => host.StartAsync();

        // Validation failures are OptionsValidationExceptions; values the binder cannot convert are
        // InvalidOperationExceptions naming the configuration path. Either way the host does not start.
        (await start.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain(named);
    }

    [Fact]
    public async Task AValidSectionStartsTheHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings)));
        builder.Services.AddStatisticsCache(builder.Configuration.GetSection("StatsCache"));
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void WithoutAGenericHostResolvingTheCacheValidatesItsOptions()
    {
        // No host, so no ValidateOnStart: IOptions<T>.Value runs the validators when the cache is first resolved.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StatsCache:ConnectionString"] = "Host=db;Database=app",
            ["StatsCache:Sessions:Table"] = "chat_sessions",
            ["StatsCache:HumanMessages:Table"] = "human_messages",
            ["StatsCache:LookBack"] = "-00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddStatisticsCache(configuration.GetSection("StatsCache"));
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IStatisticsCache>();

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("StatisticsCacheOptions.LookBack");
    }

    [Fact]
    public void WithoutAGenericHostResolvingTheCacheValidatesCodeSetOptionsToo()
    {
        var services = new ServiceCollection();
        services.AddStatisticsCache(o => o.ConnectionString = "Host=db");
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IStatisticsCache>();

        resolve.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("StatisticsCacheOptions.Sessions");
    }
}
