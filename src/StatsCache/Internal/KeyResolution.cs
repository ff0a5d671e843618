using StatsCache.Policy;
using StatsCache.Sources;

namespace StatsCache.Internal;

/// <summary>
/// Resolves the cache's key types once, at start-up, from what is known of each kind of id: the declaration
/// (<see cref="StatisticsCacheOptions.Keys"/>), the cache's own entities in the bound model (the types our tables are
/// created with: <c>UseStatisticsCache()</c> is Int64, <c>UseStatisticsCache&lt;…&gt;()</c> its type arguments), and
/// the sources' EF mappings and LINQ queries (the CLR type of each id property). The first of those that says something
/// decides; everything else must agree, or it is a problem naming the option, both sides and both types.
/// </summary>
/// <remarks>
/// Integers of different widths agree when the source's fits the kind's (an <c>int</c> or <c>short</c> property on a
/// bigint kind: PostgreSQL compares integer with bigint), so a host mapping <c>int</c> ids keeps today's bigint tables;
/// between sources alone the widest integer is taken. A Guid and an integer never agree.
/// </remarks>
internal static class KeyResolution
{
    public static CacheKeys Resolve(
        KeyTypeOptions declared,
        IReadOnlyList<(string Kind, KeyType Type, string Where)> model,
        IReadOnlyList<SourceKey> sources,
        List<string> problems)
    {
        KeyType Kind(string kind, KeyType? declaredType)
        {
            var canonical = SourceKey.Kinds.Single(k => k.Value == kind).Key;
            var option = "Keys." + kind;
            var fromSources = sources.Where(s => s.Canonical == canonical).ToList();
            var fromModel = model.Where(m => m.Kind == kind).Select(m => ((KeyType Type, string Where)?)(m.Type, m.Where)).FirstOrDefault();

            if (declaredType is { } d && fromModel is { } m && m.Type != d)
            {
                problems.Add($"StatsCache: {option} is declared {d}, but the model maps the cache's {m.Where} as {m.Type}; " +
                    $"map the cache's tables with the declared type (modelBuilder.UseStatisticsCache<…>() with {CacheKeys.ClrType(d).Name} for {kind}), or declare {option} = {m.Type}.");
            }

            // Two sources that cannot share one type: say so once, naming both, rather than each against the kind.
            var guid = fromSources.FirstOrDefault(s => s.Type == KeyType.Guid);
            var integer = fromSources.FirstOrDefault(s => s.Type != KeyType.Guid);
            if (guid is not null && integer is not null)
            {
                problems.Add($"StatsCache: {option}: the sources disagree on the type of {canonical}: {guid.Where} is {guid.Type}, {integer.Where} is {integer.Type}; map properties of one type.");
                return declaredType ?? fromModel?.Type ?? KeyType.Int64;
            }

            var resolved = declaredType ?? fromModel?.Type ?? Widest(fromSources) ?? KeyType.Int64;
            foreach (var source in fromSources.Where(s => !Fits(s.Type, resolved)))
            {
                var why = declaredType is not null
                    ? $"{option} is declared {resolved}"
                    : $"{option}: the cache's tables store it as {resolved} ({fromModel?.Where} in the model)";
                var fix = declaredType is not null
                    ? $"declare {option} = {source.Type}, or map a property of type {CacheKeys.ClrType(resolved).Name}"
                    : $"map the cache's tables with modelBuilder.UseStatisticsCache<…>() with {CacheKeys.ClrType(source.Type).Name} for {kind}, or map a property of type {CacheKeys.ClrType(resolved).Name}";
                problems.Add($"StatsCache: {why}, but {source.Where} is {source.Type}; {fix}.");
            }

            return resolved;
        }

        return new CacheKeys(
            Kind(nameof(KeyTypeOptions.TeamId), declared.TeamId),
            Kind(nameof(KeyTypeOptions.ExperimentId), declared.ExperimentId),
            Kind(nameof(KeyTypeOptions.SessionId), declared.SessionId),
            Kind(nameof(KeyTypeOptions.ParticipantId), declared.ParticipantId));
    }

    /// <summary>Whether a source's ids of <paramref name="source"/> fit a kind stored as <paramref name="kind"/>.</summary>
    public static bool Fits(KeyType source, KeyType kind) =>
        source == kind || (source == KeyType.Int32 && kind == KeyType.Int64);

    private static KeyType? Widest(List<SourceKey> sources) =>
        sources.Count == 0 ? null
        : sources.Any(s => s.Type == KeyType.Guid) ? KeyType.Guid
        : sources.Any(s => s.Type == KeyType.Int64) ? KeyType.Int64
        : KeyType.Int32;
}
