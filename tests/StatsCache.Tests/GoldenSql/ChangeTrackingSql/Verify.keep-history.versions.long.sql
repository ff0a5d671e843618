-- ChangeTrackingSql/Verify, for deletions=keep-history, versions=versions, keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH ours(tbl) AS (VALUES ('"stats"."statscache_source_changes"'), ('"stats"."statscache_state"')),
expected(tbl, trigger_name, function_name, version, purpose) AS (VALUES ('"app"."chat_sessions"', 'statscache_reporting_637d7becb9_sessions_insert', 'statscache_track_reporting_637d7becb9_sessions', 'statscache change tracking v2 32fcefe45bfe578c', 'which records inserts'), ('"app"."chat_sessions"', 'statscache_reporting_637d7becb9_sessions_update', 'statscache_track_reporting_637d7becb9_sessions', 'statscache change tracking v2 32fcefe45bfe578c', 'which records updates'), ('"app"."messages"', 'statscache_reporting_637d7becb9_humanmessages_insert', 'statscache_track_reporting_637d7becb9_humanmessages', 'statscache change tracking v2 39fcac4b3e62f02c', 'which records inserts'), ('"app"."messages"', 'statscache_reporting_637d7becb9_humanmessages_update', 'statscache_track_reporting_637d7becb9_humanmessages', 'statscache change tracking v2 39fcac4b3e62f02c', 'which records updates'), ('"app"."session_versions"', 'statscache_reporting_637d7becb9_versions_insert', 'statscache_track_reporting_637d7becb9_versions', 'statscache change tracking v2 c34fff5494c7db38', 'which records inserts'), ('"app"."session_versions"', 'statscache_reporting_637d7becb9_versions_update', 'statscache_track_reporting_637d7becb9_versions', 'statscache change tracking v2 c34fff5494c7db38', 'which records updates')),
unexpected(tbl, trigger_name) AS (VALUES ('"app"."chat_sessions"', 'statscache_reporting_637d7becb9_sessions_delete'), ('"app"."messages"', 'statscache_reporting_637d7becb9_humanmessages_delete'), ('"app"."session_versions"', 'statscache_reporting_637d7becb9_versions_delete')),
tracked_columns(tbl, column_name) AS (VALUES ('"app"."chat_sessions"', 'team_id'), ('"app"."chat_sessions"', 'experiment_id'), ('"app"."chat_sessions"', 'session_id'), ('"app"."chat_sessions"', 'created_at'), ('"app"."messages"', 'team_id'), ('"app"."messages"', 'experiment_id'), ('"app"."messages"', 'session_id'), ('"app"."messages"', 'created_at'), ('"app"."session_versions"', 'session_id'), ('"app"."session_versions"', 'created_at')),
schema AS (SELECT c.relnamespace AS oid FROM pg_class AS c WHERE c.oid = to_regclass('"stats"."statscache_source_changes"'))
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
            THEN format('the trigger %I on %s calls %s, not %I in the schema of %s', e.trigger_name, e.tbl, p.oid::regprocedure, e.function_name, '"stats"."statscache_source_changes"')
        WHEN obj_description(p.oid, 'pg_proc') IS DISTINCT FROM e.version
            THEN format('the function %s was installed by another version of StatsCache or for other sources (found %L, expected %L)', p.oid::regprocedure, coalesce(obj_description(p.oid, 'pg_proc'), 'no version'), e.version)
        WHEN NOT p.prosecdef THEN format('the function %s is not SECURITY DEFINER', p.oid::regprocedure)
        WHEN NOT has_table_privilege(p.proowner, to_regclass('"stats"."statscache_source_changes"'), 'INSERT') OR NOT has_table_privilege(p.proowner, to_regclass('"stats"."statscache_state"'), 'SELECT')
            THEN format('the owner of %s, %s, may no longer insert into %s or read %s', p.oid::regprocedure, p.proowner::regrole, '"stats"."statscache_source_changes"', '"stats"."statscache_state"')
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
SELECT 'statscache: citus catalog present' WHERE to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL
