using System.Security.Cryptography;
using System.Text;
using StatsCache.Sql;

namespace StatsCache.ChangeTracking;

/// <summary>
/// The triggers that record changes to source rows older than the watermark, and the statements
/// that consume them. Triggers are per statement with transition tables: one INSERT … SELECT
/// DISTINCT per host statement, whatever its row count, and nothing at all for the common case of
/// new rows (newer than the watermark, which the next refresh reads anyway).
/// </summary>
/// <remarks>
/// The trigger functions must never make a host's write fail: they are <c>SECURITY DEFINER</c>
/// (they run as the installing role, so a writer needs no grant on our schema), with a fixed
/// <c>search_path</c> and our tables' names qualified with the schema they resolve to at install
/// (so the writer's <c>search_path</c> does not matter), and they catch every error: the write goes
/// on, a warning is logged by PostgreSQL, a marker row is left when our change table still takes
/// one, and <see cref="ChangeTrackingVerifier"/> makes the next refresh refuse, saying what to do.
/// They depend on no option but the cache name: they record every change to a row older than the
/// watermark, whatever the look-back (the refresh forgets those its own window covered), so changing
/// <see cref="StatisticsCacheOptions.LookBack"/> needs no re-install.
/// </remarks>
internal static class ChangeTrackingSql
{
    /// <summary>Bumped whenever the generated function changes meaning, so old installs are refused until re-installed.</summary>
    private const string CodeVersion = "statscache change tracking v2";

    /// <summary>
    /// Idempotent DDL installing (or replacing) the triggers of one cache on one table. Deletions are
    /// only recorded when the cache mirrors them: under keep-history a deletion changes nothing.
    /// Our tables must exist (their schema is resolved here, once).
    /// </summary>
    public static string Install(CacheSql sql, TrackedTable table, string cacheName, bool recordDeletions)
    {
        var function = ChangeTrackingNames.Quote(ChangeTrackingNames.Function(cacheName, table.Role));
        var operations = recordDeletions ? ChangeTrackingNames.Operations : ChangeTrackingNames.Operations[..2];
        var triggers = string.Join("\n", operations.Select(op =>
        {
            var trigger = ChangeTrackingNames.Quote(ChangeTrackingNames.Trigger(cacheName, table.Role, op));
            var transition = op switch
            {
                "insert" => "NEW TABLE AS new_rows",
                "update" => "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                _ => "OLD TABLE AS old_rows",
            };
            return $"""
                DROP TRIGGER IF EXISTS {trigger} ON {table.QualifiedName};
                CREATE TRIGGER {trigger} AFTER {op.ToUpperInvariant()} ON {table.QualifiedName}
                    REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION @schema@.{function}();
                """;
        }));
        return $$"""
            DO $statscache_install$
            DECLARE
                changes_oid oid := to_regclass('{{sql.SourceChanges}}');
                state_oid oid := to_regclass('{{sql.State}}');
                schema_name text;
                changes_name text;
                state_name text;
            BEGIN
                IF changes_oid IS NULL OR state_oid IS NULL THEN
                    RAISE EXCEPTION 'StatsCache: the tables % and % must exist before change tracking is installed: apply the migration of modelBuilder.UseStatisticsCache() first (or check StatisticsCacheOptions.Schema and the search_path)', '{{sql.SourceChanges}}', '{{sql.State}}';
                END IF;
                IF to_regclass('{{table.QualifiedName}}') IS NULL THEN
                    RAISE EXCEPTION 'StatsCache: the tracked table % does not exist', '{{table.QualifiedName}}';
                END IF;
                -- Our tables' names as they resolve now, schema-qualified: the functions never depend on a caller's search_path.
                SELECT format('%I', n.nspname), format('%I.%I', n.nspname, c.relname) INTO schema_name, changes_name
                FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = changes_oid;
                SELECT format('%I.%I', n.nspname, c.relname) INTO state_name
                FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = state_oid;
                EXECUTE replace(replace(replace($statscache_ddl$
            {{Function(sql, table, cacheName)}}
            COMMENT ON FUNCTION @schema@.{{function}}() IS '{{Version(sql, table, cacheName)}}';
            REVOKE ALL ON FUNCTION @schema@.{{function}}() FROM PUBLIC;
            {{triggers}}
            DELETE FROM @changes@ WHERE cache_name = '{{cacheName}}' AND {{MarkerCondition}};
            $statscache_ddl$, '@schema@', schema_name), '@changes@', changes_name), '@state@', state_name);
            END
            $statscache_install$;
            """;
    }

    /// <summary>
    /// Removes every trigger and function of one cache, on whatever tables they are (also tables the
    /// options no longer name, and the names of earlier versions).
    /// </summary>
    public static string Uninstall(CacheSql sql, string cacheName)
    {
        var current = ChangeTrackingNames.Roles.Select(r => ChangeTrackingNames.Function(cacheName, r)).ToList();
        var legacy = ChangeTrackingNames.Roles.Select(r => ChangeTrackingNames.LegacyFunction(cacheName, r));
        string Array(IEnumerable<string> names) => "ARRAY[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]::text[]";
        return $$"""
            DO $statscache_uninstall$
            DECLARE
                schema_name text := (SELECT n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('{{sql.SourceChanges}}'));
                functions oid[];
                t record;
            BEGIN
                SELECT coalesce(array_agg(DISTINCT f.oid) FILTER (WHERE f.oid IS NOT NULL), '{}') INTO functions
                FROM (
                    SELECT to_regprocedure(quote_ident(schema_name) || '.' || quote_ident(name) || '()')::oid AS oid
                    FROM unnest({{Array(current)}}) AS name WHERE schema_name IS NOT NULL
                    UNION ALL
                    SELECT to_regprocedure(quote_ident(name) || '()')::oid FROM unnest({{Array(current.Concat(legacy))}}) AS name
                ) AS f;
                FOR t IN SELECT tg.tgname, tg.tgrelid::regclass AS tbl FROM pg_trigger AS tg WHERE tg.tgfoid = ANY (functions) AND NOT tg.tgisinternal LOOP
                    EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
                END LOOP;
                FOR t IN SELECT f::regprocedure AS fn FROM unnest(functions) AS f LOOP
                    EXECUTE format('DROP FUNCTION %s', t.fn);
                END LOOP;
            END
            $statscache_uninstall$;
            """;
    }

    /// <summary>What the installed function of <paramref name="table"/> must carry as its comment for the options in force.</summary>
    public static string Version(CacheSql sql, TrackedTable table, string cacheName) =>
        CodeVersion + " " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Function(sql, table, cacheName))))[..16];

    /// <summary>
    /// Problems with the installed change tracking of a cache, one row (text) each; no row when it is
    /// sound: our tables exist, the tracked tables and columns exist, every trigger the options need is
    /// there, enabled and calls our current function (security definer, owned by a role that may still
    /// write our change table), and no deletion trigger is left when deletions are kept.
    /// Names are passed as literals: they are validated identifiers.
    /// </summary>
    public static string Verify(CacheSql sql, IReadOnlyList<TrackedTable> tables, string cacheName, bool recordDeletions)
    {
        string L(string value) => "'" + value + "'";
        var expected = tables.SelectMany(t => ChangeTrackingNames.Operations.Take(recordDeletions ? 3 : 2).Select(op =>
            $"({L(t.QualifiedName)}, {L(ChangeTrackingNames.Trigger(cacheName, t.Role, op))}, {L(ChangeTrackingNames.Function(cacheName, t.Role))}, {L(Version(sql, t, cacheName))}, " +
            L(op == "delete" ? "which records deletions (StatisticsCacheOptions.Deletions = Mirror)" : $"which records {op}s") + ")"));
        var unexpected = recordDeletions
            ? ["(NULL::text, NULL::text)"]
            : tables.Select(t => $"({L(t.QualifiedName)}, {L(ChangeTrackingNames.Trigger(cacheName, t.Role, "delete"))})");
        var columns = tables.SelectMany(t => new[] { t.TeamId, t.ExperimentId, t.SessionId, t.CreatedAt }
            .OfType<string>()
            .Select(c => $"({L(t.QualifiedName)}, {L(c.Trim('"'))})"));
        return $"""
            WITH ours(tbl) AS (VALUES ({L(sql.SourceChanges)}), ({L(sql.State)})),
            expected(tbl, trigger_name, function_name, version, purpose) AS (VALUES {string.Join(", ", expected)}),
            unexpected(tbl, trigger_name) AS (VALUES {string.Join(", ", unexpected)}),
            tracked_columns(tbl, column_name) AS (VALUES {string.Join(", ", columns)}),
            schema AS (SELECT c.relnamespace AS oid FROM pg_class AS c WHERE c.oid = to_regclass({L(sql.SourceChanges)}))
            SELECT format('our table %s does not exist (apply the migration of modelBuilder.UseStatisticsCache(), or check StatisticsCacheOptions.Schema)', o.tbl)
            FROM ours AS o WHERE to_regclass(o.tbl) IS NULL
            UNION ALL
            SELECT format('the tracked table %s does not exist', t.tbl)
            FROM (SELECT DISTINCT tbl FROM tracked_columns) AS t WHERE to_regclass(t.tbl) IS NULL
            UNION ALL
            SELECT format('column %I of %s does not exist (renamed or dropped?)', c.column_name, c.tbl)
            FROM tracked_columns AS c
            WHERE to_regclass(c.tbl) IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = to_regclass(c.tbl) AND a.attname = c.column_name AND a.attnum > 0 AND NOT a.attisdropped)
            UNION ALL
            SELECT problem FROM (
                SELECT CASE
                    WHEN tg.oid IS NULL THEN format('the trigger %I on %s, %s, is missing', e.trigger_name, e.tbl, e.purpose)
                    WHEN tg.tgenabled NOT IN ('O', 'A') THEN format('the trigger %I on %s is disabled', e.trigger_name, e.tbl)
                    WHEN p.proname <> e.function_name OR p.pronamespace IS DISTINCT FROM (SELECT oid FROM schema)
                        THEN format('the trigger %I on %s calls %s, not %I in the schema of %s', e.trigger_name, e.tbl, p.oid::regprocedure, e.function_name, {L(sql.SourceChanges)})
                    WHEN obj_description(p.oid, 'pg_proc') IS DISTINCT FROM e.version
                        THEN format('the function %s was installed by another version of StatsCache or for other sources (found %L, expected %L)', p.oid::regprocedure, coalesce(obj_description(p.oid, 'pg_proc'), 'no version'), e.version)
                    WHEN NOT p.prosecdef THEN format('the function %s is not SECURITY DEFINER', p.oid::regprocedure)
                    WHEN NOT has_table_privilege(p.proowner, to_regclass({L(sql.SourceChanges)}), 'INSERT') OR NOT has_table_privilege(p.proowner, to_regclass({L(sql.State)}), 'SELECT')
                        THEN format('the owner of %s, %s, may no longer insert into %s or read %s', p.oid::regprocedure, p.proowner::regrole, {L(sql.SourceChanges)}, {L(sql.State)})
                    END AS problem
                FROM expected AS e
                LEFT JOIN pg_trigger AS tg ON tg.tgrelid = to_regclass(e.tbl) AND tg.tgname = e.trigger_name
                LEFT JOIN pg_proc AS p ON p.oid = tg.tgfoid
                WHERE to_regclass(e.tbl) IS NOT NULL
            ) AS triggers WHERE problem IS NOT NULL
            UNION ALL
            SELECT format('the trigger %I on %s records deletions, but StatisticsCacheOptions.Deletions is KeepHistory', u.trigger_name, u.tbl)
            FROM unexpected AS u JOIN pg_trigger AS tg ON tg.tgrelid = to_regclass(u.tbl) AND tg.tgname = u.trigger_name
            UNION ALL
            SELECT {L(DistributedTables.CitusMarker)} WHERE to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL
            """;
    }

    /// <summary>The first hour a trigger failed to record a change (its marker row), if one did.</summary>
    public static string FirstFailure(CacheSql sql) =>
        $"SELECT min(changed_at) FROM {sql.SourceChanges} WHERE cache_name = @cache AND {MarkerCondition}";

    /// <summary>
    /// Forgets, inside the refresh's own snapshot, the changes at or after the start of its window: the
    /// window recomputes them anyway. Changes committed after the snapshot are not visible, so they stay.
    /// Mirroring deletions, the changes of a session that is gone from the source stay too: the window finds
    /// a session row to remove only through a start, a human message, a tag or a last activity in the window,
    /// and a session without human messages has no last activity — its row (with its version tags) would
    /// outlive the session. The session recount of the tracked changes removes it.
    /// </summary>
    public static string ForgetCovered(CacheSql sql) =>
        $"DELETE FROM {sql.SourceChanges} AS c WHERE c.cache_name = @cache AND c.changed_at >= @from AND NOT ({MarkerCondition})" +
        (sql.MirrorDeletions
            ? $" AND (c.session_id IS NULL OR EXISTS (SELECT 1 FROM {sql.Sessions} AS s WHERE s.session_id = c.session_id AND (c.team_id IS NULL OR s.team_id = c.team_id)))"
            : "");

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

    /// <summary>Forgets the changes that were applied (a failure marker stays until change tracking is re-installed).</summary>
    public static string Consume(CacheSql sql) => $"DELETE FROM {sql.SourceChanges} WHERE cache_name = @cache AND id <= @max_id AND NOT ({MarkerCondition})";

    /// <summary>
    /// A failure marker: a change row naming nothing (real changes always name at least their session),
    /// left by a trigger that could not record a change, at the hour it failed.
    /// </summary>
    private const string MarkerCondition = "team_id IS NULL AND experiment_id IS NULL AND session_id IS NULL";

    /// <summary>
    /// The trigger function of one cache and table, with <c>@schema@</c>, <c>@changes@</c> and
    /// <c>@state@</c> for our schema and tables, filled in at install time.
    /// </summary>
    private static string Function(CacheSql sql, TrackedTable table, string cacheName)
    {
        var function = ChangeTrackingNames.Quote(ChangeTrackingNames.Function(cacheName, table.Role));
        string Record(string rows) => $"""
                            INSERT INTO @changes@ (cache_name, team_id, experiment_id, session_id, changed_at)
                            SELECT DISTINCT '{cacheName}', {table.TeamId ?? $"NULL::{sql.TeamType}"}, {table.ExperimentId ?? $"NULL::{sql.ExperimentType}"}, r.{table.SessionId}, date_trunc('hour', r.{table.CreatedAt}, 'UTC')
                            FROM {rows} AS r
                            WHERE r.{table.CreatedAt} < since;
            """;
        return $$"""
            CREATE OR REPLACE FUNCTION @schema@.{{function}}() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $statscache$
            DECLARE
                since timestamptz;
            BEGIN
                BEGIN
                    SELECT s.watermark INTO since FROM @state@ AS s WHERE s.cache_name = '{{cacheName}}';
                    -- Not built yet: the first build reads everything. Rows from the watermark on: the next refresh reads them.
                    IF since IS NOT NULL THEN
                        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {{Record("old_rows")}}
                        END IF;
                        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {{Record("new_rows")}}
                        END IF;
                    END IF;
                EXCEPTION WHEN others THEN
                    -- The host's write must succeed whatever happened to us: warn, leave a marker if we can, go on.
                    RAISE WARNING 'StatsCache: change tracking of cache "{{cacheName}}" on % recorded nothing: % (SQLSTATE %); the next refresh refuses until EnableChangeTrackingAsync is re-run', TG_TABLE_NAME, SQLERRM, SQLSTATE;
                    BEGIN
                        INSERT INTO @changes@ (cache_name, team_id, experiment_id, session_id, changed_at)
                        VALUES ('{{cacheName}}', NULL, NULL, NULL, date_trunc('hour', now(), 'UTC'));
                    EXCEPTION WHEN others THEN
                        NULL; -- our change table itself is broken: the refresh's catalog check finds it
                    END;
                END;
                RETURN NULL;
            END
            $statscache$;
            """;
    }
}
