-- SessionTotalsSql/Upsert, for deletions=keep-history, versions=versions-with-team, keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_session_statistics" AS s
    (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
SELECT k.team_id, coalesce(k.experiment_id, tagged.experiment_id), k.session_id,
       CASE WHEN k.started_here THEN coalesce(k.human_message_count, 0) + earlier.human_message_count + later.human_message_count
            ELSE earlier.human_message_count END,
       GREATEST(k.last_activity, earlier.last_activity, later.last_activity),
       ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(k.versions) AS x ORDER BY 1), @now
FROM (
    SELECT k.team_id, k.session_id,
           coalesce(max(k.experiment_id) FILTER (WHERE k.kind = 0), max(k.experiment_id) FILTER (WHERE k.kind = 1)) AS experiment_id,
           bool_or(k.kind = 0) AS started_here, sum(k.messages) AS human_message_count, max(k.last_activity) AS last_activity,
           array_agg(k.version) FILTER (WHERE k.version IS NOT NULL) AS versions
    FROM (
        SELECT s.team_id, s.session_id, s.experiment_id, 0 AS kind, NULL::bigint AS messages, NULL::timestamptz AS last_activity, NULL::text AS version
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.created_at >= @from AND s.created_at < @to
        UNION ALL
        SELECT m.team_id, m.session_id, m.experiment_id, 1, 1, m.created_at, NULL
        FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
        WHERE m.created_at >= @from AND m.created_at < @to
        UNION ALL
        SELECT v.team_id, v.session_id, NULL, 2, NULL, NULL, v.version::text
        FROM (SELECT t."team_id" AS team_id, t."session_id" AS session_id, t."version" AS version, t."created_at" AS created_at FROM "app"."session_versions" AS t) AS v
        WHERE v.created_at >= @from AND v.created_at < @to
    ) AS k
    GROUP BY k.team_id, k.session_id
) AS k
CROSS JOIN LATERAL (
    -- Only tags in the range (no start, no human message): the session's experiment, from the host.
    SELECT min(x.experiment_id) AS experiment_id
    FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS x
    WHERE k.experiment_id IS NULL AND x.team_id = k.team_id AND x.session_id = k.session_id
) AS tagged
CROSS JOIN LATERAL (
    SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.team_id = k.team_id AND m.session_id = k.session_id
      AND m.created_at < CASE WHEN k.started_here THEN @from ELSE @sessions_until END
) AS earlier
CROSS JOIN LATERAL (
    SELECT count(*) AS human_message_count, max(m.created_at) AS last_activity
    FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    -- The guard is a sub-select, evaluated once (a one-time filter) but never folded at planning: a
    -- constant false would leave Citus a lateral sub-query with no table, which it cannot place.
    WHERE (SELECT @to < @sessions_until) AND k.started_here
      AND m.team_id = k.team_id AND m.session_id = k.session_id
      AND m.created_at >= @to AND m.created_at < @sessions_until
) AS later
WHERE k.experiment_id IS NOT NULL OR tagged.experiment_id IS NOT NULL
ON CONFLICT (team_id, session_id) DO UPDATE SET
    experiment_id = excluded.experiment_id,
    human_message_count = GREATEST(s.human_message_count, excluded.human_message_count),
    last_activity = GREATEST(s.last_activity, excluded.last_activity),
    versions = CASE WHEN cardinality(excluded.versions) = 0 THEN s.versions
                    ELSE ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(s.versions || excluded.versions) AS x ORDER BY 1) END,
    updated_at = excluded.updated_at
WHERE s.experiment_id <> excluded.experiment_id OR s.human_message_count < excluded.human_message_count
   OR s.last_activity IS DISTINCT FROM GREATEST(s.last_activity, excluded.last_activity)
   OR NOT (excluded.versions <@ s.versions)
