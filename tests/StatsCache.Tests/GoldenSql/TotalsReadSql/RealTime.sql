-- TotalsReadSql/RealTime, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH since AS (
    SELECT coalesce((SELECT watermark FROM "stats"."statscache_state" WHERE cache_name = @cache), '-infinity'::timestamptz) AS at
), cached AS (
    SELECT t.experiment_id, t.session_count AS sessions, t.participant_count AS participants,
           t.human_message_count AS messages, t.last_activity
    FROM "stats"."statscache_experiment_totals" AS t
    WHERE t.team_id = @team AND t.experiment_id = ANY(@ids)
), tail_sessions AS (
    SELECT s.experiment_id, count(*) AS sessions,
           count(DISTINCT s.participant_id) FILTER (WHERE f.participant_id IS NULL) AS participants
    FROM since CROSS JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
    LEFT JOIN "stats"."statscache_participant_first_seen" AS f
      ON f.team_id = s.team_id AND f.experiment_id = s.experiment_id AND f.participant_id = s.participant_id
     AND f.first_seen_at < since.at
    WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.created_at >= since.at
    GROUP BY s.experiment_id
), tail_messages AS (
    SELECT m.experiment_id, count(*) AS messages, max(m.created_at) AS last_activity
    FROM since, (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
    WHERE m.team_id = @team AND m.experiment_id = ANY(@ids) AND m.created_at >= since.at
    GROUP BY m.experiment_id
)
SELECT e.id,
       (coalesce(c.sessions, 0) + coalesce(ts.sessions, 0))::bigint,
       (coalesce(c.participants, 0) + coalesce(ts.participants, 0))::bigint,
       (coalesce(c.messages, 0) + coalesce(tm.messages, 0))::bigint,
       GREATEST(c.last_activity, tm.last_activity)
FROM unnest(@ids) AS e(id)
LEFT JOIN cached AS c ON c.experiment_id = e.id
LEFT JOIN tail_sessions AS ts ON ts.experiment_id = e.id
LEFT JOIN tail_messages AS tm ON tm.experiment_id = e.id
WHERE c.experiment_id IS NOT NULL OR ts.experiment_id IS NOT NULL OR tm.experiment_id IS NOT NULL
