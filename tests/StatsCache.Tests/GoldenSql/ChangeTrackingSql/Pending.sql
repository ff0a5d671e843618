-- ChangeTrackingSql/Pending, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH pending AS (
    SELECT c.team_id, c.experiment_id, c.session_id, c.changed_at
    FROM "stats"."statscache_source_changes" AS c
    WHERE c.cache_name = @cache AND c.id <= @max_id
), resolved AS (
    SELECT p.changed_at, p.session_id, coalesce(p.experiment_id, s.experiment_id) AS experiment_id, coalesce(p.team_id, s.team_id) AS team_id
    FROM pending AS p
    LEFT JOIN (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
      ON p.experiment_id IS NULL AND s.session_id = p.session_id AND s.team_id = coalesce(p.team_id, s.team_id)
), touched AS (
    SELECT DISTINCT team_id, session_id FROM resolved WHERE team_id IS NOT NULL AND session_id IS NOT NULL
)
SELECT (SELECT min(changed_at) FROM resolved), (SELECT max(changed_at) FROM resolved),
       (SELECT coalesce(array_agg(DISTINCT experiment_id) FILTER (WHERE experiment_id IS NOT NULL), '{}') FROM resolved),
       (SELECT coalesce(array_agg(session_id ORDER BY team_id, session_id), '{}') FROM touched),
       (SELECT coalesce(array_agg(team_id ORDER BY team_id, session_id), '{}') FROM touched)
