-- SeriesSql/ExperimentSeries.month, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT b.experiment_id,
       CASE WHEN b.bucket_size >= 3 THEN b.bucket_start
            ELSE date_trunc('month', b.bucket_start, 'UTC') END AS point_start,
       GREATEST(b.bucket_size, 3::smallint) AS point_size,
       sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
FROM "stats"."statscache_experiment_buckets" AS b
WHERE b.team_id = @team AND b.experiment_id = ANY(@ids)
  AND b.bucket_start < @to AND b.bucket_start > @from - interval '32 days' AND (CASE WHEN b.bucket_size = 1 THEN b.bucket_start + interval '1 hour' ELSE (date_trunc('day', b.bucket_start AT TIME ZONE 'UTC') + CASE WHEN b.bucket_size = 2 THEN interval '1 day' ELSE interval '1 month' END) AT TIME ZONE 'UTC' END) > @from
GROUP BY 1, 2, 3
ORDER BY 1, 2
