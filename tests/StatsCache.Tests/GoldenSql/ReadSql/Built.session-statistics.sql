-- ReadSql/Built.session-statistics, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT (SELECT st.watermark IS NOT NULL FROM "stats"."statscache_state" AS st WHERE st.cache_name = @cache) IS TRUE AND ((SELECT true FROM "stats"."statscache_session_statistics" AS g WHERE g.team_id = @team LIMIT 1) IS NOT NULL)
