namespace StatsCache.Sql;

/// <summary>Statements of a reconcile.</summary>
internal static class ReconcileSql
{
    /// <summary>The buckets' totals per experiment over [@from, @to): compared before and after to report what changed.</summary>
    public static string RangeTotals(CacheSql sql, bool limited) => $"""
        SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint, sum(b.human_message_count)::bigint, max(b.last_activity)
        FROM {sql.Buckets} AS b
        WHERE b.bucket_start >= @from AND b.bucket_start < @to{CacheSql.ExperimentFilter("b", limited)}
        GROUP BY b.team_id, b.experiment_id
        """;
}
