-- StateSql/Advance, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_state" SET
    watermark = GREATEST(watermark, @watermark),
    daily_from = GREATEST(daily_from, @daily_from),
    hourly_from = GREATEST(hourly_from, @hourly_from),
    updated_at = @now
WHERE cache_name = @cache
