-- ChangeTrackingSql/Uninstall, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DO $statscache_uninstall$
DECLARE
    schema_name text := (SELECT n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('"stats"."statscache_source_changes"'));
    functions oid[];
    t record;
BEGIN
    SELECT coalesce(array_agg(DISTINCT f.oid) FILTER (WHERE f.oid IS NOT NULL), '{}') INTO functions
    FROM (
        SELECT to_regprocedure(quote_ident(schema_name) || '.' || quote_ident(name) || '()')::oid AS oid
        FROM unnest(ARRAY['statscache_track_reporting_637d7becb9_sessions', 'statscache_track_reporting_637d7becb9_humanmessages', 'statscache_track_reporting_637d7becb9_versions']::text[]) AS name WHERE schema_name IS NOT NULL
        UNION ALL
        SELECT to_regprocedure(quote_ident(name) || '()')::oid FROM unnest(ARRAY['statscache_track_reporting_637d7becb9_sessions', 'statscache_track_reporting_637d7becb9_humanmessages', 'statscache_track_reporting_637d7becb9_versions', 'statscache_track_reporting_sessions', 'statscache_track_reporting_humanmessages', 'statscache_track_reporting_versions']::text[]) AS name
    ) AS f;
    FOR t IN SELECT tg.tgname, tg.tgrelid::regclass AS tbl FROM pg_trigger AS tg WHERE tg.tgfoid = ANY (functions) AND NOT tg.tgisinternal LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
    END LOOP;
    FOR t IN SELECT f::regprocedure AS fn FROM unnest(functions) AS f LOOP
        EXECUTE format('DROP FUNCTION %s', t.fn);
    END LOOP;
END
$statscache_uninstall$;
