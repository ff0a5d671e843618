-- MeasureRegistrySql/Registered, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT r.measure, r.fingerprint FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache
