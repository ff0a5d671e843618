-- ChangeTrackingSql/Install.versions, for deletions=keep-history, versions=versions-with-team, keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DO $statscache_install$
DECLARE
    changes_oid oid := to_regclass('"stats"."statscache_source_changes"');
    state_oid oid := to_regclass('"stats"."statscache_state"');
    schema_name text;
    changes_name text;
    state_name text;
BEGIN
    IF changes_oid IS NULL OR state_oid IS NULL THEN
        RAISE EXCEPTION 'StatsCache: the tables % and % must exist before change tracking is installed: apply the migration of modelBuilder.UseStatisticsCache() first (or check StatisticsCacheOptions.Schema and the search_path)', '"stats"."statscache_source_changes"', '"stats"."statscache_state"';
    END IF;
    IF to_regclass('"app"."session_versions"') IS NULL THEN
        RAISE EXCEPTION 'StatsCache: the tracked table % does not exist', '"app"."session_versions"';
    END IF;
    -- Our tables' names as they resolve now, schema-qualified: the functions never depend on a caller's search_path.
    SELECT format('%I', n.nspname), format('%I.%I', n.nspname, c.relname) INTO schema_name, changes_name
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = changes_oid;
    SELECT format('%I.%I', n.nspname, c.relname) INTO state_name
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = state_oid;
    EXECUTE replace(replace(replace($statscache_ddl$
CREATE OR REPLACE FUNCTION @schema@."statscache_track_reporting_637d7becb9_versions"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $statscache$
DECLARE
    since timestamptz;
BEGIN
    BEGIN
        SELECT s.watermark INTO since FROM @state@ AS s WHERE s.cache_name = 'reporting';
        -- Not built yet: the first build reads everything. Rows from the watermark on: the next refresh reads them.
        IF since IS NOT NULL THEN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                INSERT INTO @changes@ (cache_name, team_id, experiment_id, session_id, changed_at)
                SELECT DISTINCT 'reporting', "team_id", NULL::bigint, r."session_id", date_trunc('hour', r."created_at", 'UTC')
                FROM old_rows AS r
                WHERE r."created_at" < since;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO @changes@ (cache_name, team_id, experiment_id, session_id, changed_at)
                SELECT DISTINCT 'reporting', "team_id", NULL::bigint, r."session_id", date_trunc('hour', r."created_at", 'UTC')
                FROM new_rows AS r
                WHERE r."created_at" < since;
            END IF;
        END IF;
    EXCEPTION WHEN others THEN
        -- The host's write must succeed whatever happened to us: warn, leave a marker if we can, go on.
        RAISE WARNING 'StatsCache: change tracking of cache "reporting" on % recorded nothing: % (SQLSTATE %); the next refresh refuses until EnableChangeTrackingAsync is re-run', TG_TABLE_NAME, SQLERRM, SQLSTATE;
        BEGIN
            INSERT INTO @changes@ (cache_name, team_id, experiment_id, session_id, changed_at)
            VALUES ('reporting', NULL, NULL, NULL, date_trunc('hour', now(), 'UTC'));
        EXCEPTION WHEN others THEN
            NULL; -- our change table itself is broken: the refresh's catalog check finds it
        END;
    END;
    RETURN NULL;
END
$statscache$;
COMMENT ON FUNCTION @schema@."statscache_track_reporting_637d7becb9_versions"() IS 'statscache change tracking v2 c505ee200153f419';
REVOKE ALL ON FUNCTION @schema@."statscache_track_reporting_637d7becb9_versions"() FROM PUBLIC;
DROP TRIGGER IF EXISTS "statscache_reporting_637d7becb9_versions_insert" ON "app"."session_versions";
CREATE TRIGGER "statscache_reporting_637d7becb9_versions_insert" AFTER INSERT ON "app"."session_versions"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @schema@."statscache_track_reporting_637d7becb9_versions"();
DROP TRIGGER IF EXISTS "statscache_reporting_637d7becb9_versions_update" ON "app"."session_versions";
CREATE TRIGGER "statscache_reporting_637d7becb9_versions_update" AFTER UPDATE ON "app"."session_versions"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @schema@."statscache_track_reporting_637d7becb9_versions"();
DELETE FROM @changes@ WHERE cache_name = 'reporting' AND team_id IS NULL AND experiment_id IS NULL AND session_id IS NULL;
$statscache_ddl$, '@schema@', schema_name), '@changes@', changes_name), '@state@', state_name);
END
$statscache_install$;
