using Microsoft.Extensions.DependencyInjection;

namespace StatsCache.Internal;

/// <summary>
/// Every cache registered in one service collection, by options name: the default cache (if
/// <c>AddStatisticsCache(o => …)</c> was called) and the named ones (<c>AddStatisticsCache("reporting", o => …)</c>).
/// Registered once, as an instance, so registration can find it again and validators can tell the caches apart.
/// </summary>
internal sealed class StatisticsCacheRegistry
{
    public StatisticsCacheMarker? Default { get; set; }

    public Dictionary<string, StatisticsCacheMarker> Named { get; } = new(StringComparer.Ordinal);

    public IEnumerable<StatisticsCacheMarker> All => Default is null ? Named.Values : Named.Values.Prepend(Default);

    /// <summary>The cache whose options carry <paramref name="optionsName"/>, or null when no cache uses that name.</summary>
    public StatisticsCacheMarker? Find(string? optionsName) =>
        string.IsNullOrEmpty(optionsName) ? Default : Named.GetValueOrDefault(optionsName);

    public static StatisticsCacheRegistry In(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(StatisticsCacheRegistry) && !d.IsKeyedService)?.ImplementationInstance is StatisticsCacheRegistry registry)
        {
            return registry;
        }

        registry = new StatisticsCacheRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
