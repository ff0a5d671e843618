using Microsoft.Extensions.Logging;

namespace StatsCache.Sources;

/// <summary>Source-generated log messages about sources (event ids 360–379).</summary>
internal static partial class SourceLog
{
    /// <summary>
    /// Once per registration, at start-up: the translated text's hash, so a changed query (or model under it) shows in
    /// the logs as a new hash. Nothing else records which text built the buckets.
    /// </summary>
    [LoggerMessage(360, LogLevel.Information, "StatsCache {Cache}: {Source} translated to SQL, text sha256 {Hash}. A new hash means the source counts differently: verify or rebuild the cache")]
    public static partial void LinqSourceTranslated(ILogger logger, string cache, string source, string hash);

    [LoggerMessage(361, LogLevel.Debug, "StatsCache {Cache}: {Source} reads: {Sql}")]
    public static partial void LinqSourceSql(ILogger logger, string cache, string source, string sql);
}
