-- StateSql/Read, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT watermark, daily_from, hourly_from, backfill_requested_from, backfill_experiments, backfill_to, backfill_done_until,
       coalesce(time_zone, 'UTC')
FROM "stats"."statscache_state" WHERE cache_name = @cache
