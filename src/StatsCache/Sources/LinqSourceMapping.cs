using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace StatsCache.Sources;

/// <summary>
/// A source given as an EF Core LINQ query over the host's DbContext, e.g.
/// <c>db =&gt; db.Messages.Where(m =&gt; m.IsHuman).Select(m =&gt; new { m.Session.TeamId, m.Session.ExperimentId, m.SessionId, m.CreatedAt })</c>,
/// with filters and navigations. Translated once to SQL (<see cref="LinqSourceTranslator"/>) with an instance of the
/// bound context, at start-up; from then on it is a <see cref="SourceOptions.Sql"/> source like a host's own SELECT.
/// </summary>
/// <param name="Role">Which source the query feeds.</param>
/// <param name="ContextType">The DbContext type the query is written over (<c>Map…&lt;TContext&gt;</c>).</param>
/// <param name="Query">Builds the query from a context instance (of <paramref name="ContextType"/>, or derived from it).</param>
internal sealed record LinqSourceMapping(SourceRole Role, Type ContextType, Func<DbContext, IQueryable> Query)
    : EntitySourceMapping(Role, ContextType, new Dictionary<string, string>())
{
    private readonly Lock _gate = new();
    private LinqSourceTranslation? _translation;

    /// <summary>The measure this query feeds, for <see cref="SourceRole.Measure"/>; null for the built-in sources.</summary>
    public string? MeasureName { get; init; }

    /// <summary>Whether the measure is a <see cref="StatsCache.MeasureAggregate.Sum"/>, whose query must project a Value.</summary>
    public bool SumsValue { get; init; }

    /// <summary>How messages name this source: <c>MapHumanMessages&lt;AppDbContext&gt; (LINQ query)</c>, <c>AddMeasure&lt;AppDbContext&gt;("tokens_used") (LINQ query)</c>.</summary>
    public string Describe => Role == SourceRole.Measure
        ? $"AddMeasure<{ContextType.Name}>(\"{MeasureName}\") (LINQ query)"
        : $"Map{Role}<{ContextType.Name}> (LINQ query)";

    /// <summary>
    /// The query's translation, made once with <paramref name="context"/> and kept: the same text every later call,
    /// so the SQL a cache runs is the SQL validated at start-up. The first successful translation is logged
    /// (event 360 with the text's hash, 361 at Debug with the text) for the cache <paramref name="cache"/>.
    /// </summary>
    public LinqSourceTranslation Translate(DbContext context, ILogger? logger = null, string cache = "the default cache")
    {
        lock (_gate)
        {
            if (_translation is null)
            {
                _translation = LinqSourceTranslator.Translate(this, context);
                if (logger is not null && _translation.Sql is { } sql)
                {
                    SourceLog.LinqSourceTranslated(logger, cache, Describe, Hash(sql));
                    SourceLog.LinqSourceSql(logger, cache, Describe, sql);
                }
            }

            return _translation;
        }
    }

    /// <summary>The first 16 hex digits of the text's SHA-256: enough to tell two texts apart in a log.</summary>
    internal static string Hash(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16];

    /// <summary>The translation made by <see cref="Translate"/>, or <see langword="null"/> before it ran.</summary>
    public LinqSourceTranslation? Translated
    {
        get
        {
            lock (_gate)
            {
                return _translation;
            }
        }
    }
}
