-- ChangeTrackingSql/ForgetCovered, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_source_changes" WHERE cache_name = @cache AND changed_at >= @from AND NOT (team_id IS NULL AND experiment_id IS NULL AND session_id IS NULL)
