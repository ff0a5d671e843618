namespace StatsCache.Sql;

/// <summary>How much source data a range holds, so maintenance can size its transactions.</summary>
internal static class VolumeSql
{
    /// <summary>
    /// Sessions plus human messages of [@from, @to) per UTC hour: one statement, a range scan of the
    /// host's created_at indexes, a few thousand rows back at most (one per hour with data).
    /// </summary>
    public static string RowsPerHour(CacheSql sql, bool limited) => $"""
        SELECT date_trunc('hour', t.created_at, 'UTC') AS hour, count(*) AS rows
        FROM (
            SELECT s.created_at FROM {sql.Sessions} AS s
            WHERE s.created_at >= @from AND s.created_at < @to{CacheSql.ExperimentFilter("s", limited)}
            UNION ALL
            SELECT m.created_at FROM {sql.HumanMessages} AS m
            WHERE m.created_at >= @from AND m.created_at < @to{CacheSql.ExperimentFilter("m", limited)}
        ) AS t
        GROUP BY 1
        """;
}
