-- DistributedTables/Query, for versions=no-versions (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT p.logicalrelid::regclass::text FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = ANY (ARRAY[to_regclass('"app"."chat_sessions"'), to_regclass('"app"."messages"')]::regclass[]) ORDER BY 1
