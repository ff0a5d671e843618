-- FirstSeenSql/Upsert.limited, for deletions=mirror, zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
WITH candidates AS (
    SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at) AS first_seen_at
        FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS s
        WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL AND s.experiment_id = ANY(@experiments)
        GROUP BY s.team_id, s.experiment_id, s.participant_id
), recorded AS (
    SELECT f.team_id, f.experiment_id, f.participant_id, f.first_seen_at
    FROM "stats"."statscache_participant_first_seen" AS f
    WHERE f.first_seen_at >= @from AND f.first_seen_at < @to AND f.experiment_id = ANY(@experiments)
), moved AS (
    -- earlier than what we knew (or new), or a first visit in the range that changed
    SELECT c.team_id, c.experiment_id, c.participant_id, c.first_seen_at, f.first_seen_at AS previous_first_seen_at
    FROM candidates AS c
    LEFT JOIN "stats"."statscache_participant_first_seen" AS f
      ON f.team_id = c.team_id AND f.experiment_id = c.experiment_id AND f.participant_id = c.participant_id
    WHERE f.first_seen_at IS NULL OR c.first_seen_at < f.first_seen_at
       OR (f.first_seen_at >= @from AND f.first_seen_at < @to AND c.first_seen_at <> f.first_seen_at)
), lost AS (
    -- recorded first visits in the range whose participant has no session in it any more
    SELECT r.team_id, r.experiment_id, r.participant_id,
           (SELECT min(x.created_at) FROM (SELECT t."team_id" AS team_id, t."experiment_id" AS experiment_id, t."session_id" AS session_id, t."user_id" AS participant_id, t."created_at" AS created_at FROM "app"."chat_sessions" AS t) AS x
            WHERE x.team_id = r.team_id AND x.experiment_id = r.experiment_id AND x.participant_id = r.participant_id
              AND x.created_at >= @to) AS next_first_seen_at
    FROM recorded AS r
    WHERE NOT EXISTS (SELECT 1 FROM candidates AS c
                      WHERE c.team_id = r.team_id AND c.experiment_id = r.experiment_id AND c.participant_id = r.participant_id)
), left_behind AS (
    SELECT b.team_id, b.experiment_id, b.bucket_start, b.bucket_size, count(*) AS participants
    FROM moved AS m
    JOIN "stats"."statscache_experiment_buckets" AS b ON b.team_id = m.team_id AND b.experiment_id = m.experiment_id AND b.bucket_start <= m.previous_first_seen_at AND b.bucket_start > m.previous_first_seen_at - interval '32 days' AND m.previous_first_seen_at < (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'UTC') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC' END)
    WHERE m.previous_first_seen_at IS NOT NULL
      AND (m.previous_first_seen_at < @from OR m.previous_first_seen_at >= @to)
    GROUP BY b.team_id, b.experiment_id, b.bucket_start, b.bucket_size
), arrived AS (
    SELECT b.team_id, b.experiment_id, b.bucket_start, b.bucket_size, count(*) AS participants
    FROM lost AS l
    JOIN "stats"."statscache_experiment_buckets" AS b ON b.team_id = l.team_id AND b.experiment_id = l.experiment_id AND b.bucket_start <= l.next_first_seen_at AND b.bucket_start > l.next_first_seen_at - interval '32 days' AND l.next_first_seen_at < (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'UTC') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC' END)
    GROUP BY b.team_id, b.experiment_id, b.bucket_start, b.bucket_size
), deltas AS (
    SELECT team_id, experiment_id, bucket_start, bucket_size, sum(delta) AS delta
    FROM (SELECT team_id, experiment_id, bucket_start, bucket_size, -participants AS delta FROM left_behind
          UNION ALL
          SELECT team_id, experiment_id, bucket_start, bucket_size, participants FROM arrived) AS d
    GROUP BY team_id, experiment_id, bucket_start, bucket_size
), recounted AS (
    UPDATE "stats"."statscache_experiment_buckets" AS b
    SET new_participant_count = b.new_participant_count + d.delta, updated_at = @now
    FROM deltas AS d
    WHERE b.team_id = d.team_id AND b.experiment_id = d.experiment_id
      AND b.bucket_start = d.bucket_start AND b.bucket_size = d.bucket_size
), forgotten AS (
    DELETE FROM "stats"."statscache_participant_first_seen" AS f
    USING lost AS l
    WHERE l.next_first_seen_at IS NULL
      AND f.team_id = l.team_id AND f.experiment_id = l.experiment_id AND f.participant_id = l.participant_id
)
INSERT INTO "stats"."statscache_participant_first_seen" AS f (team_id, experiment_id, participant_id, first_seen_at)
SELECT team_id, experiment_id, participant_id, first_seen_at FROM moved
UNION ALL
SELECT team_id, experiment_id, participant_id, next_first_seen_at FROM lost WHERE next_first_seen_at IS NOT NULL
ON CONFLICT (team_id, experiment_id, participant_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
