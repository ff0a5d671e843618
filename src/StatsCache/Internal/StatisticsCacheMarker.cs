using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>What the builder learned at registration: the DbContext the cache is bound to, if any, and the entity-mapped sources.</summary>
internal sealed class StatisticsCacheMarker
{
    public Type? DbContextType { get; set; }

    /// <summary>Sources mapped from EF Core entity types; resolved against the model at first use.</summary>
    public List<EntitySourceMapping> EntitySources { get; } = [];
}
