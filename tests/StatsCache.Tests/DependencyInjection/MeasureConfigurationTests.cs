using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StatsCache.Tests.DependencyInjection;

/// <summary>Host-declared measures from configuration (<c>StatsCache:Measures:0:…</c>): they bind, and a typo or a bad value stops start-up naming it.</summary>
public class MeasureConfigurationTests
{
    private static Dictionary<string, string?> Section(params (string Key, string Value)[] measures)
    {
        var settings = new Dictionary<string, string?>
        {
            ["StatsCache:ConnectionString"] = "Host=db;Database=app",
            ["StatsCache:Sessions:Table"] = "chat_sessions",
            ["StatsCache:HumanMessages:Table"] = "human_messages",
        };
        foreach (var (key, value) in measures)
        {
            settings["StatsCache:Measures:" + key] = value;
        }

        return settings;
    }

    [Fact]
    public void MeasuresBindFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Section(
            ("0:Name", "bot_messages"), ("0:Source:Sql", "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human"),
            ("1:Name", "tokens_used"), ("1:Aggregate", "Sum"), ("1:Source:Table", "chat_messages"), ("1:Source:ValueColumn", "tokens"))).Build();
        var services = new ServiceCollection();
        services.AddStatisticsCache(configuration.GetSection("StatsCache"));
        using var provider = services.BuildServiceProvider();

        var measures = provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value.Measures;

        measures.Select(m => (m.Name, m.Aggregate, m.Source.Table, m.Source.ValueColumn)).Should().Equal(
            ("bot_messages", MeasureAggregate.Count, null, null),
            ("tokens_used", MeasureAggregate.Sum, "chat_messages", "tokens"));
        measures[0].Source.Sql.Should().StartWith("SELECT team_id");
    }

    public static TheoryData<string, string, string> BadMeasures => new()
    {
        // key under StatsCache:Measures:, value, what the failure names
        { "0:Nmae", "bot_messages", "StatsCache:Measures:0:Nmae is not an option of MeasureOptions" },
        { "0:Source:Tabel", "chat_messages", "StatsCache:Measures:0:Source:Tabel is not an option of MeasureSourceOptions" },
        { "0:Name", "Bot Messages", "StatisticsCacheOptions.Measures[0].Name 'Bot Messages' is not a plain lower-case identifier" },
        { "0:Name", "human_message_count", "StatisticsCacheOptions.Measures[0] (human_message_count).Name is the name of a built-in statistic" },
        { "0:Aggregate", "Average", "StatsCache:Measures:0:Aggregate" },
    };

    [Theory]
    [MemberData(nameof(BadMeasures))]
    public async Task ABadMeasureStopsStartUpNamingIt(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = Section(("0:Name", "bot_messages"), ("0:Source:Table", "chat_messages"));
        settings["StatsCache:Measures:" + key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddStatisticsCache(builder.Configuration.GetSection("StatsCache"));
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain(named);
    }

    [Fact]
    public async Task ASumWithoutItsValueColumnStopsStartUp()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Section(("0:Name", "tokens_used"), ("0:Aggregate", "Sum"), ("0:Source:Table", "chat_messages")));
        builder.Services.AddStatisticsCache(builder.Configuration.GetSection("StatsCache"));
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("StatisticsCacheOptions.Measures[0] (tokens_used).Source.ValueColumn is not set");
    }
}
