using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StatsCache.IntegrationTests.Measures;

/// <summary>
/// Bad measure options stop the host at start-up (ValidateOnStart), not at the first refresh or read, with a
/// message naming the option — on the test host bound to its DbContext (sources from its model) and on the host
/// without one (raw SQL sources, key types declared). The host's own measures (<see cref="HostWiring.DeclareMeasures"/>)
/// start; each case breaks one thing in them. No database is needed: the options and the model are checked.
/// </summary>
public sealed class MeasureStartupValidationTests
{
    private const string ConnectionString = "Host=localhost;Database=not_used";

    public static TheoryData<string, HostSources> Hosts => new()
    {
        { "bot_messages, tokens_used", HostSources.EntityModel },
        { "bot_messages, tokens_used", HostSources.Sql },
    };

    public static TheoryData<string, HostSources, int> BadMeasures()
    {
        var data = new TheoryData<string, HostSources, int>();
        foreach (var sources in new[] { HostSources.EntityModel, HostSources.Sql })
        {
            for (var i = 0; i < Breaks.Length; i++)
            {
                data.Add(Breaks[i].Option, sources, i);
            }
        }

        return data;
    }

    /// <summary>One broken thing each, and the option the message must name.</summary>
    private static readonly (string Option, Action<StatisticsCacheOptions> Break)[] Breaks =
    [
        ("Measures[0].Name", o => o.Measures[0].Name = "Bot Messages"),
        ("Measures[0].Name", o => o.Measures[0].Name = ""),
        ("Measures[1].Name", o => o.Measures[1].Name = new string('t', 64)),
        ("Measures[0] (human_messages).Name", o => o.Measures[0].Name = "human_messages"),
        ("Measures[1] (bot_messages).Name", o => o.Measures[1].Name = HostWiring.BotMessages),
        ("Measures[1] (tokens_used).Aggregate", o => o.Measures[1].Aggregate = (MeasureAggregate)5),
        ("Measures[1] (tokens_used).Source.ValueColumn", o => o.Measures[1].Source.ValueColumn = null),
        ("Measures[1] (tokens_used).Source:", o => o.Measures[1].Source.Table = null),
        ("Measures[0] (bot_messages).Source:", o => o.Measures[0].Source.Table = "chat_messages"),
        ("Measures[0] (bot_messages).Source.Sql", o => o.Measures[0].Source.Sql = "DELETE FROM chat_messages"),
        ("Measures[1] (tokens_used).Source.Table", o => o.Measures[1].Source.Table = "chat messages"),
        ("Measures[1] (tokens_used).Source column for value", o => o.Measures[1].Source.ValueColumn = "tokens; --"),
        ("Measures[2] (tokens_used).Name", o => o.Measures.Add(HostWiring.TokensUsedMeasure())),
    ];

    [Theory]
    [MemberData(nameof(Hosts))]
    public void TheHostsMeasuresStart(string measures, HostSources sources)
    {
        using var provider = Services(sources, _ => { });

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate()).Should().NotThrow("{0} are valid", measures);
        provider.GetRequiredService<IOptions<StatisticsCacheOptions>>().Value.Measures.Select(m => m.Name).Should().Equal(HostWiring.BotMessages, HostWiring.TokensUsed);
    }

    [Theory]
    [MemberData(nameof(BadMeasures))]
    public void ABadMeasureStopsTheHostAtStartNamingTheOption(string option, HostSources sources, int index)
    {
        using var provider = Services(sources, Breaks[index].Break);

        var failure = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>("a bad measure ({0}) must stop the host before the cache is first used", option).Which;

        failure.OptionsType.Should().Be<StatisticsCacheOptions>();
        failure.Failures.Should().Contain(f => f.Contains(option, StringComparison.Ordinal), "the message names the option {0}", option);
        failure.Message.Should().Contain(option);
    }

    private static ServiceProvider Services(HostSources sources, Action<StatisticsCacheOptions> breakIt)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        HostWiring.AddHostAndCache(services, ConnectionString, HostShape.GlobalSessionIds, HostKeys.Int64, o =>
        {
            HostWiring.DeclareMeasures(o);
            breakIt(o);
        }, sources);
        return services.BuildServiceProvider();
    }
}
