using Microsoft.Extensions.Logging;
using Npgsql;

namespace StatsCache.ChangeTracking;

/// <summary>
/// Change tracking and Citus: the triggers are refused on tables Citus distributes (or makes
/// reference tables). Citus does not run statement triggers with transition tables on its shards:
/// with <c>citus.enable_unsafe_triggers</c> on, every write of the host then fails on the workers
/// ("executor could not find named tuplestore"), and the host's writes must never fail. So the
/// install refuses with a message saying what to do instead — keep old rows exact with
/// <c>VerifyAsync</c> (repair on) and <c>ReconcileAsync</c> of the ranges late writes touch — and a
/// refresh with change tracking on refuses the same way if a tracked table was distributed after
/// the install. On plain PostgreSQL this costs nothing: the check is one row of the verify query
/// (whether Citus's catalog exists), and only on Citus a second lookup.
/// </summary>
internal static partial class DistributedTables
{
    /// <summary>The row <see cref="ChangeTrackingSql.Verify"/> adds when Citus's catalog exists (not a problem in itself).</summary>
    public const string CitusMarker = "statscache: citus catalog present";

    /// <summary>What to do instead, appended to every refusal.</summary>
    public const string Advice =
        "Change tracking cannot run on tables Citus distributes: a trigger there would make the host's writes fail on the workers. " +
        "Turn it off (StatisticsCacheOptions.ChangeTracking = false) and keep rows changed or committed late below the watermark exact " +
        "with VerifyAsync (repair on, e.g. VerifyRequest.LastDay() hourly and Everything() nightly) and ReconcileAsync of the ranges such writes touch. " +
        "See docs/scale-out.md.";

    /// <summary>Lists the tracked tables that are Citus tables (distributed, reference or Citus-local); run only when Citus's catalog exists.</summary>
    public static string Query(IReadOnlyList<TrackedTable> tables) =>
        "SELECT p.logicalrelid::regclass::text FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = ANY (ARRAY[" +
        string.Join(", ", tables.Select(t => $"to_regclass('{t.QualifiedName}')")) + "]::regclass[]) ORDER BY 1";

    /// <summary>
    /// A guard for the install script (also the migration script of <c>GetChangeTrackingScript</c>):
    /// raises, so the whole script rolls back, when a tracked table is a Citus table. The lookup is
    /// planned only where Citus's catalog exists (PL/pgSQL plans a statement when it first runs it).
    /// </summary>
    public static string Guard(IReadOnlyList<TrackedTable> tables) => $$"""
        DO $statscache_citus_guard$
        DECLARE
            found text;
        BEGIN
            IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
                SELECT string_agg(x, ', ') INTO found FROM ({{Query(tables)}}) AS d(x);
                IF found IS NOT NULL THEN
                    RAISE EXCEPTION 'StatsCache: refusing to install change tracking on %, distributed by Citus. {{Advice.Replace("'", "''", StringComparison.Ordinal)}}', found;
                END IF;
            END IF;
        END
        $statscache_citus_guard$;
        """;

    /// <summary>The tracked tables Citus distributes, empty on plain PostgreSQL (one catalog probe first).</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(NpgsqlConnection connection, IReadOnlyList<TrackedTable> tables, bool citusKnown, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
        {
            return [];
        }

        if (!citusKnown)
        {
            await using var probe = new NpgsqlCommand("SELECT to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL", connection);
            if (await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return [];
            }
        }

        var found = new List<string>();
        await using var command = new NpgsqlCommand(Query(tables), connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    /// <summary>The install's refusal.</summary>
    public static InvalidOperationException InstallRefusal(string cacheName, IReadOnlyList<string> found) =>
        new($"StatsCache: refusing to install change tracking of cache '{cacheName}' on {string.Join(", ", found)}, distributed by Citus. {Advice}");

    /// <summary>The problem a refresh reports when a tracked table became a Citus table after the install.</summary>
    public static string Problem(IReadOnlyList<string> found) =>
        $"the tracked table(s) {string.Join(", ", found)} are distributed by Citus, where the triggers cannot run";

    [LoggerMessage(300, LogLevel.Error, "StatsCache change tracking of cache {CacheName} refused: {Tables} distributed by Citus. {Advice}")]
    public static partial void Refused(ILogger logger, string cacheName, string tables, string advice);
}
