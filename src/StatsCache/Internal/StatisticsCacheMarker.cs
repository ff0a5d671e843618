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

    /// <summary>Sources mapped from EF Core entity types; resolved against the model at start-up (options validation).</summary>
    public List<EntitySourceMapping> EntitySources { get; } = [];

    private ResolvedPair? _resolved;

    /// <summary>Keeps the resolution options validation made of <paramref name="options"/>, so the cache is built from it and not resolved again.</summary>
    public void Resolved(StatisticsCacheOptions options, SourceResolution resolution) => Volatile.Write(ref _resolved, new ResolvedPair(options, resolution));

    /// <summary>The resolution validation made of this very options instance, or null (not validated with a model, or options re-created).</summary>
    public SourceResolution? ResolutionOf(StatisticsCacheOptions options) =>
        Volatile.Read(ref _resolved) is { } r && ReferenceEquals(r.Options, options) ? r.Resolution : null;

    private sealed record ResolvedPair(StatisticsCacheOptions Options, SourceResolution Resolution);
}
