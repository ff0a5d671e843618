using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>What the builder learned at registration: the DbContext the cache is bound to, if any, and the entity-mapped sources.</summary>
internal sealed class StatisticsCacheMarker
{
    public StatisticsCacheMarker()
    {
    }

    /// <summary>A marker of the named (keyed) cache <paramref name="name"/>.</summary>
    public StatisticsCacheMarker(string name) => Name = name;

    /// <summary>The cache's name (its DI key and options name), or <see langword="null"/> for the default cache.</summary>
    public string? Name { get; }

    /// <summary>The name of the cache's options: <see cref="Name"/>, or <see cref="Microsoft.Extensions.Options.Options.DefaultName"/>.</summary>
    public string OptionsName => Name ?? Microsoft.Extensions.Options.Options.DefaultName;

    /// <summary>How messages name the cache: <c>cache 'reporting'</c>, or <c>the default cache</c>.</summary>
    public string Describe => Name is null ? "the default cache" : $"cache '{Name}'";

    public Type? DbContextType { get; set; }

    /// <summary>Sources mapped from EF Core entity types; resolved against the model at first use.</summary>
    public List<EntitySourceMapping> EntitySources { get; } = [];
}
