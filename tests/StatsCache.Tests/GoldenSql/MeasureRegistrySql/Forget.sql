-- MeasureRegistrySql/Forget, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DELETE FROM "stats"."statscache_experiment_measure_buckets" AS b WHERE b.measure = ANY(@measures::text[]);

DELETE FROM "stats"."statscache_experiment_measures" AS t WHERE t.measure = ANY(@measures::text[]);

DELETE FROM "stats"."statscache_session_measures" AS s WHERE s.measure = ANY(@measures::text[]);

DELETE FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = ANY(@measures::text[])
