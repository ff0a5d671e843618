-- TotalsSql/MarkRange, for deletions=mirror (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_experiment_totals" AS t SET updated_at = @now
FROM (SELECT b.team_id, b.experiment_id
      FROM "stats"."statscache_experiment_buckets" AS b
      WHERE b.bucket_size = ANY('{1,2,3}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
      UNION
      SELECT f.team_id, f.experiment_id
      FROM "stats"."statscache_participant_first_seen" AS f
      WHERE f.first_seen_at >= @from AND f.first_seen_at < @to) AS s
WHERE t.team_id = s.team_id AND t.experiment_id = s.experiment_id
