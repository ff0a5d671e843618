-- ReadSql/SessionTotals, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT s.session_id, s.human_message_count, s.last_activity, s.versions
FROM "stats"."statscache_session_statistics" AS s
WHERE s.team_id = @team AND s.session_id = ANY(@ids)
