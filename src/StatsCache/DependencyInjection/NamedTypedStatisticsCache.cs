using Microsoft.Extensions.DependencyInjection;

namespace StatsCache.DependencyInjection;

/// <summary>
/// <c>[FromKeyedServices(name)] IStatisticsCache&lt;TTeamId, TExperimentId, TSessionId&gt;</c> of a named cache: the typed
/// face over that cache's engine (the container builds it from the open generic registration, with the key).
/// </summary>
internal sealed class NamedTypedStatisticsCache<TTeamId, TExperimentId, TSessionId>([ServiceKey] string name, IServiceProvider services)
    : StatisticsCache<TTeamId, TExperimentId, TSessionId>(services.GetRequiredKeyedService<NamedStatisticsCache>(name).Engine)
    where TTeamId : notnull
    where TExperimentId : notnull
    where TSessionId : notnull;
