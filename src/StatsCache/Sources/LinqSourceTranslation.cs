namespace StatsCache.Sources;

/// <summary>What a <see cref="LinqSourceMapping"/> became: its SELECT with the canonical column names, or the problems found.</summary>
/// <param name="Sql">The SELECT (canonical column names), or <see langword="null"/> when <paramref name="Problems"/> is not empty.</param>
/// <param name="Canonical">The canonical columns the SELECT returns, in order (a version source's optional <c>team_id</c> only when the query names TeamId).</param>
/// <param name="Problems">Each problem found, naming the source and what is wrong.</param>
internal sealed record LinqSourceTranslation(string? Sql, IReadOnlyList<string> Canonical, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the query names the (optional) TeamId of a version source.</summary>
    public bool HasTeam => Canonical.Contains("team_id", StringComparer.Ordinal);

    /// <summary>The key type of each id column the query projects (from the member's CLR type).</summary>
    public IReadOnlyList<SourceKey> Keys { get; init; } = [];
}
