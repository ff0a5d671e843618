-- MeasureRegistrySql/Register, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
INSERT INTO "stats"."statscache_measures" AS r (cache_name, measure, fingerprint, built_at)
SELECT @cache, u.measure, u.fingerprint, @now
FROM unnest(@measures::text[], @fingerprints::text[]) AS u(measure, fingerprint)
ON CONFLICT (cache_name, measure) DO UPDATE SET fingerprint = excluded.fingerprint, built_at = excluded.built_at
