-- HealthSql/UnbuiltMeasures, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT d.measure
FROM unnest(@measures::text[], @fingerprints::text[]) WITH ORDINALITY AS d(measure, fingerprint, n)
WHERE NOT EXISTS (SELECT 1 FROM "stats"."statscache_measures" AS r WHERE r.cache_name = @cache AND r.measure = d.measure AND r.fingerprint = d.fingerprint)
ORDER BY d.n
