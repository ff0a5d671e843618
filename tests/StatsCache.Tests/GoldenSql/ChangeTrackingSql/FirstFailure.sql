-- ChangeTrackingSql/FirstFailure, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT min(changed_at) FROM "stats"."statscache_source_changes" WHERE cache_name = @cache AND team_id IS NULL AND experiment_id IS NULL AND session_id IS NULL
