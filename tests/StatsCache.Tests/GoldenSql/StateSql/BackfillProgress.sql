-- StateSql/BackfillProgress, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_state" SET backfill_done_until = @done_until, updated_at = @now WHERE cache_name = @cache
