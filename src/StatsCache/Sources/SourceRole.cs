namespace StatsCache.Sources;

/// <summary>The three kinds of source rows the cache reads.</summary>
internal enum SourceRole
{
    Sessions,
    HumanMessages,
    Versions,
}
