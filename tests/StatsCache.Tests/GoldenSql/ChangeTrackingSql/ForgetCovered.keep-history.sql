-- ChangeTrackingSql/ForgetCovered, for deletions=keep-history (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_source_changes" AS c WHERE c.cache_name = @cache AND c.changed_at >= @from AND NOT (team_id IS NULL AND experiment_id IS NULL AND session_id IS NULL)
