-- ChangeTrackingSql/MaxId, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT max(id) FROM "stats"."statscache_source_changes" WHERE cache_name = @cache
