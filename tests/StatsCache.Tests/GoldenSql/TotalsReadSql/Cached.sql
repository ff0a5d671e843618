-- TotalsReadSql/Cached, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT t.experiment_id, t.session_count, t.participant_count, t.human_message_count, t.last_activity
FROM "stats"."statscache_experiment_totals" AS t
WHERE t.team_id = @team AND t.experiment_id = ANY(@ids)
