using System.Globalization;
using StatsCache.Sql;

namespace StatsCache.ChangeTracking;

/// <summary>
/// The triggers that record changes to source rows older than the refresh window, and the
/// statements that consume them. Triggers are per statement with transition tables: one INSERT …
/// SELECT DISTINCT per host statement, whatever its row count, and nothing at all for the common
/// case of new rows (newer than the watermark minus the look-back, which the refresh reads anyway).
/// </summary>
internal static class ChangeTrackingSql
{
    /// <summary>
    /// Idempotent DDL installing (or replacing) the triggers of one cache on one table. Deletions are
    /// only recorded when the cache mirrors them: under keep-history a deletion changes nothing.
    /// </summary>
    public static string Install(CacheSql sql, TrackedTable table, string cacheName, TimeSpan lookBack, bool recordDeletions)
    {
        var function = FunctionName(table, cacheName);
        var seconds = ((long)lookBack.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        string Record(string rows) => $"""
                    INSERT INTO {sql.SourceChanges} (cache_name, team_id, experiment_id, session_id, changed_at)
                    SELECT DISTINCT '{cacheName}', {table.TeamId ?? "NULL::bigint"}, {table.ExperimentId ?? "NULL::bigint"}, r.{table.SessionId}, date_trunc('hour', r.{table.CreatedAt}, 'UTC')
                    FROM {rows} AS r
                    WHERE r.{table.CreatedAt} < since;
            """;
        var trigger = TriggerPrefix(table, cacheName);
        return $$"""
            CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger LANGUAGE plpgsql AS $statscache$
            DECLARE
                since timestamptz := (SELECT watermark FROM {{sql.State}} WHERE cache_name = '{{cacheName}}') - interval '{{seconds}} seconds';
            BEGIN
                -- Not built yet: the first build reads everything. Newer rows: the next refresh reads them.
                IF since IS NULL THEN
                    RETURN NULL;
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {{Record("old_rows")}}
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {{Record("new_rows")}}
                END IF;
                RETURN NULL;
            END
            $statscache$;
            DROP TRIGGER IF EXISTS "{{trigger}}_insert" ON {{table.QualifiedName}};
            DROP TRIGGER IF EXISTS "{{trigger}}_update" ON {{table.QualifiedName}};
            DROP TRIGGER IF EXISTS "{{trigger}}_delete" ON {{table.QualifiedName}};
            CREATE TRIGGER "{{trigger}}_insert" AFTER INSERT ON {{table.QualifiedName}}
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{function}}();
            CREATE TRIGGER "{{trigger}}_update" AFTER UPDATE ON {{table.QualifiedName}}
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{function}}();
            {{(recordDeletions ? $"CREATE TRIGGER \"{trigger}_delete\" AFTER DELETE ON {table.QualifiedName}\n    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();" : "-- deletions are kept (SourceDeletions.KeepHistory): not tracked")}}
            """;
    }

    /// <summary>Removes the triggers and function of one cache on one table.</summary>
    public static string Uninstall(TrackedTable table, string cacheName)
    {
        var trigger = TriggerPrefix(table, cacheName);
        return $"""
            DROP TRIGGER IF EXISTS "{trigger}_insert" ON {table.QualifiedName};
            DROP TRIGGER IF EXISTS "{trigger}_update" ON {table.QualifiedName};
            DROP TRIGGER IF EXISTS "{trigger}_delete" ON {table.QualifiedName};
            DROP FUNCTION IF EXISTS {FunctionName(table, cacheName)}();
            """;
    }

    /// <summary>
    /// What the recorded changes up to @max_id touched: the earliest and latest hour, the experiments
    /// (a version tag's through its session, matched by team too when the tag recorded one), and the
    /// touched sessions as two parallel arrays, session ids and their teams: (team, session id) pairs,
    /// since session ids need only be unique within a team.
    /// </summary>
    public static string Pending(CacheSql sql) => $"""
        WITH pending AS (
            SELECT c.team_id, c.experiment_id, c.session_id, c.changed_at
            FROM {sql.SourceChanges} AS c
            WHERE c.cache_name = @cache AND c.id <= @max_id
        ), resolved AS (
            SELECT p.changed_at, p.session_id, coalesce(p.experiment_id, s.experiment_id) AS experiment_id, coalesce(p.team_id, s.team_id) AS team_id
            FROM pending AS p
            LEFT JOIN {sql.Sessions} AS s
              ON p.experiment_id IS NULL AND s.session_id = p.session_id AND s.team_id = coalesce(p.team_id, s.team_id)
        ), touched AS (
            SELECT DISTINCT team_id, session_id FROM resolved WHERE team_id IS NOT NULL AND session_id IS NOT NULL
        )
        SELECT (SELECT min(changed_at) FROM resolved), (SELECT max(changed_at) FROM resolved),
               (SELECT coalesce(array_agg(DISTINCT experiment_id) FILTER (WHERE experiment_id IS NOT NULL), '{"{}"}') FROM resolved),
               (SELECT coalesce(array_agg(session_id ORDER BY team_id, session_id), '{"{}"}') FROM touched),
               (SELECT coalesce(array_agg(team_id ORDER BY team_id, session_id), '{"{}"}') FROM touched)
        """;

    /// <summary>The newest recorded change: consumed up to it, so changes recorded meanwhile wait for the next refresh.</summary>
    public static string MaxId(CacheSql sql) => $"SELECT max(id) FROM {sql.SourceChanges} WHERE cache_name = @cache";

    /// <summary>Forgets the changes that were applied.</summary>
    public static string Consume(CacheSql sql) => $"DELETE FROM {sql.SourceChanges} WHERE cache_name = @cache AND id <= @max_id";

    private static string TriggerPrefix(TrackedTable table, string cacheName) => $"statscache_{cacheName}_{table.Role.ToString().ToLowerInvariant()}";

    private static string FunctionName(TrackedTable table, string cacheName) => $"\"statscache_track_{cacheName}_{table.Role.ToString().ToLowerInvariant()}\"";
}
