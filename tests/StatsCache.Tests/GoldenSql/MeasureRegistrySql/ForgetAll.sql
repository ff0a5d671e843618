-- MeasureRegistrySql/ForgetAll, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DO $statscache_forget_measures$
BEGIN
    IF to_regclass('"stats"."statscache_measures"') IS NOT NULL AND has_table_privilege(to_regclass('"stats"."statscache_measures"'), 'SELECT') THEN
        IF EXISTS (SELECT 1 FROM "stats"."statscache_measures" AS r WHERE r.cache_name = 'reporting') THEN
            DELETE FROM "stats"."statscache_experiment_measure_buckets";
            DELETE FROM "stats"."statscache_experiment_measures";
            DELETE FROM "stats"."statscache_session_measures";
            DELETE FROM "stats"."statscache_measures" AS r WHERE r.cache_name = 'reporting';
        END IF;
    END IF;
END
$statscache_forget_measures$
