-- RollUpSql/RollUp.compress.hour-to-day, for zone=berlin (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_experiment_buckets" AS b
    (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
SELECT m.team_id, m.experiment_id, 2, date_trunc('day', m.bucket_start, 'Europe/Berlin'),
       sum(m.session_count), sum(m.new_participant_count), sum(m.human_message_count), max(m.last_activity), @now
FROM "stats"."statscache_experiment_buckets" AS m
WHERE m.bucket_size = 1 AND m.bucket_start >= @rollup_from AND m.bucket_start < @rollup_to
GROUP BY m.team_id, m.experiment_id, date_trunc('day', m.bucket_start, 'Europe/Berlin');

DELETE FROM "stats"."statscache_experiment_buckets" AS b WHERE b.bucket_size = 1 AND b.bucket_start >= @rollup_from AND b.bucket_start < @rollup_to
