-- HealthSql/MissingTables, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT t.name FROM unnest(@tables::text[]) AS t(name) WHERE to_regclass(t.name) IS NULL
