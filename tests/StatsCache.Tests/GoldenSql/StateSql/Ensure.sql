-- StateSql/Ensure, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_state" (cache_name, time_zone, updated_at) VALUES (@cache, @zone, @now) ON CONFLICT (cache_name) DO NOTHING
