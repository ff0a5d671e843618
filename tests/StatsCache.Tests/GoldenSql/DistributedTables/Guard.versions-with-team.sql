-- DistributedTables/Guard, for versions=versions-with-team (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DO $statscache_citus_guard$
DECLARE
    found text;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        SELECT string_agg(x, ', ') INTO found FROM (SELECT p.logicalrelid::regclass::text FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = ANY (ARRAY[to_regclass('"app"."chat_sessions"'), to_regclass('"app"."messages"'), to_regclass('"app"."session_versions"')]::regclass[]) ORDER BY 1) AS d(x);
        IF found IS NOT NULL THEN
            RAISE EXCEPTION 'StatsCache: refusing to install change tracking on %, distributed by Citus. Change tracking cannot run on tables Citus distributes: a trigger there would make the host''s writes fail on the workers. Turn it off (StatisticsCacheOptions.ChangeTracking = false) and keep rows changed or committed late below the watermark exact with VerifyAsync (repair on, e.g. VerifyRequest.LastDay() hourly and Everything() nightly) and ReconcileAsync of the ranges such writes touch. See docs/scale-out.md.', found;
        END IF;
    END IF;
END
$statscache_citus_guard$;
