-- StateSql/AdoptZoneWhileEmpty, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
UPDATE "stats"."statscache_state" SET time_zone = @zone, updated_at = @now
WHERE cache_name = @cache AND time_zone IS DISTINCT FROM @zone
  AND watermark IS NULL AND backfill_to IS NULL
  AND NOT ((SELECT true FROM "stats"."statscache_experiment_buckets" LIMIT 1) IS NOT NULL)
  AND NOT ((SELECT true FROM "stats"."statscache_session_statistics" LIMIT 1) IS NOT NULL)
  AND NOT ((SELECT true FROM "stats"."statscache_participant_first_seen" LIMIT 1) IS NOT NULL)
