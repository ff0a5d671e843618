-- StateSql/FinishBackfill, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_state" SET
    backfill_requested_from = NULL, backfill_experiments = NULL, backfill_to = NULL, backfill_done_until = NULL, updated_at = @now
WHERE cache_name = @cache
