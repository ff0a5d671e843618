namespace StatsCache.Sql;

/// <summary>
/// Experiment series computed live from the host's rows, served instead of the buckets until the
/// cache is built (<see cref="ReadSql.Built"/>), so a first build never draws partial sparklines.
/// </summary>
internal static class LiveSeriesSql
{
    /// <summary>
    /// The cached series until built, the live one after: one statement, one branch runs. The live
    /// points cover [@live_from, @live_to) — the request widened to whole periods, as the cached
    /// points are whole buckets — at the requested granularity. New participants of a point are those
    /// whose first session in the experiment (over all time) falls in it, as in the buckets.
    /// </summary>
    public static string ExperimentSeriesUntilBuilt(CacheSql sql, BucketSize granularity)
    {
        var unit = BucketCalendar.SqlUnit(granularity);
        var zone = sql.ZoneFor(granularity);
        var live = $"""
            SELECT p.experiment_id, p.point_start, {(short)granularity}::smallint AS point_size,
                   sum(p.sessions)::bigint, sum(p.participants)::bigint, sum(p.messages)::bigint, max(p.last_activity)
            FROM (
                SELECT s.experiment_id, date_trunc('{unit}', s.created_at, {zone}) AS point_start,
                       1 AS sessions, 0 AS participants, 0 AS messages, NULL::timestamptz AS last_activity
                FROM {sql.Sessions} AS s
                WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.created_at >= @live_from AND s.created_at < @live_to
                UNION ALL
                SELECT f.experiment_id, date_trunc('{unit}', f.first_at, {zone}), 0, 1, 0, NULL
                FROM (
                    SELECT s.experiment_id, min(s.created_at) AS first_at
                    FROM {sql.Sessions} AS s
                    WHERE s.team_id = @team AND s.experiment_id = ANY(@ids) AND s.participant_id IS NOT NULL AND s.created_at < @live_to
                    GROUP BY s.experiment_id, s.participant_id
                ) AS f
                WHERE f.first_at >= @live_from
                UNION ALL
                SELECT m.experiment_id, date_trunc('{unit}', m.created_at, {zone}), 0, 0, 1, m.created_at
                FROM {sql.HumanMessages} AS m
                WHERE m.team_id = @team AND m.experiment_id = ANY(@ids) AND m.created_at >= @live_from AND m.created_at < @live_to
            ) AS p
            GROUP BY p.experiment_id, p.point_start
            """;
        // The gate is written in both branches rather than kept in a CTE read twice: Citus turns such a
        // CTE into an intermediate result on the coordinator; this way the read stays a router query.
        return $"""
            SELECT c.* FROM ({SeriesSql.ExperimentSeries(sql, granularity)}) AS c WHERE {ReadSql.Built(sql, sql.Buckets)}
            UNION ALL
            SELECT l.* FROM ({live}) AS l WHERE NOT ({ReadSql.Built(sql, sql.Buckets)})
            ORDER BY 1, 2
            """;
    }
}
