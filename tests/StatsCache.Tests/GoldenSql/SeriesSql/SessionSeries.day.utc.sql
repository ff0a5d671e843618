-- SeriesSql/SessionSeries.day, for zone=utc (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
SELECT date_trunc('day', m.created_at, 'UTC'), count(*), max(m.created_at)
FROM (SELECT m.team_id, m.experiment_id, m.session_id, m.created_at FROM app.messages AS m WHERE m.role = 'user'
) AS m
WHERE m.session_id = @session AND m.team_id = @team AND m.created_at >= @from AND m.created_at < @to
GROUP BY 1
ORDER BY 1
