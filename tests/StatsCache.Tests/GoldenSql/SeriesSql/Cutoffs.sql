-- SeriesSql/Cutoffs, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT daily_from, hourly_from, coalesce(time_zone, 'UTC') FROM "stats"."statscache_state" WHERE cache_name = @cache
