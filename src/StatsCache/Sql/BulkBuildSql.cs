namespace StatsCache.Sql;

/// <summary>
/// The first build of an empty cache (and a rebuild after its tables were emptied): each table filled by
/// one set-based INSERT over all source rows of [@from, @to), in one transaction with the watermark move.
/// Nothing needs merging — the tables are empty — so there is no ON CONFLICT, no per-chunk recount of
/// earlier sessions and no lookup of earlier first visits; PostgreSQL reads each source once per table with
/// hash aggregates (in parallel where it chooses). Bucket sizes follow the retention cut-offs
/// (@daily_from, @hourly_from), exactly as the chunked backfill would write them.
/// </summary>
internal static class BulkBuildSql
{
    /// <summary>First visits: the earliest session of every (team, experiment, participant).</summary>
    public static string FirstSeen(CacheSql sql) => $"""
        INSERT INTO {sql.FirstSeen} (team_id, experiment_id, participant_id, first_seen_at)
        SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at)
        FROM {sql.Sessions} AS s
        WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL
        GROUP BY s.team_id, s.experiment_id, s.participant_id
        """;

    /// <summary>Buckets at the policy's size for each instant: sessions, human messages, and first visits from the table just filled.</summary>
    public static string Buckets(CacheSql sql)
    {
        string Size(string at) => $"CASE WHEN {at} < @daily_from THEN {(short)BucketSize.Month} WHEN {at} < @hourly_from THEN {(short)BucketSize.Day} ELSE {(short)BucketSize.Hour} END";
        string Start(string at) =>
            $"CASE WHEN {at} < @daily_from THEN date_trunc('month', {at}, {sql.ZoneFor(BucketSize.Month)}) " +
            $"WHEN {at} < @hourly_from THEN date_trunc('day', {at}, {sql.ZoneFor(BucketSize.Day)}) ELSE date_trunc('hour', {at}, 'UTC') END";
        return $"""
            INSERT INTO {sql.Buckets} (team_id, experiment_id, bucket_size, bucket_start, session_count, new_participant_count, human_message_count, last_activity, updated_at)
            SELECT team_id, experiment_id, bucket_size, bucket_start, sum(session_count), sum(new_participant_count), sum(human_message_count), max(last_activity), @now
            FROM (
                SELECT s.team_id, s.experiment_id, {Size("s.created_at")} AS bucket_size, {Start("s.created_at")} AS bucket_start,
                       count(*) AS session_count, 0 AS new_participant_count, 0 AS human_message_count, NULL::timestamptz AS last_activity
                FROM {sql.Sessions} AS s
                WHERE s.created_at >= @from AND s.created_at < @to
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT m.team_id, m.experiment_id, {Size("m.created_at")}, {Start("m.created_at")}, 0, 0, count(*), max(m.created_at)
                FROM {sql.HumanMessages} AS m
                WHERE m.created_at >= @from AND m.created_at < @to
                GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT f.team_id, f.experiment_id, {Size("f.first_seen_at")}, {Start("f.first_seen_at")}, 0, count(*), 0, NULL
                FROM {sql.FirstSeen} AS f
                GROUP BY 1, 2, 3, 4
            ) AS parts
            GROUP BY team_id, experiment_id, bucket_size, bucket_start
            """;
    }

    /// <summary>
    /// One row per session started in the range or with a human message in it (as the chunked build's FULL
    /// JOIN), counted over all its human messages of the range, with its version tags of the range.
    /// </summary>
    public static string Sessions(CacheSql sql)
    {
        var versions = sql.Versions is null
            ? $"SELECT NULL::{sql.TeamType} AS team_id, NULL::{sql.SessionType} AS session_id, '{{}}'::text[] AS versions WHERE false"
            : $"""
              SELECT {sql.VersionTeam("v")} AS team_id, v.session_id, array_agg(DISTINCT v.version::text COLLATE "C" ORDER BY v.version::text COLLATE "C") AS versions
                  FROM {sql.Versions} AS v
                  WHERE v.created_at >= @from AND v.created_at < @to
                  GROUP BY 1, 2
              """;
        return $$"""
            WITH messages AS (
                SELECT m.team_id, m.session_id, {{sql.MaxExperiment("m.experiment_id")}} AS experiment_id, count(*) AS human_message_count, max(m.created_at) AS last_activity
                FROM {{sql.HumanMessages}} AS m
                WHERE m.created_at >= @from AND m.created_at < @to
                GROUP BY m.team_id, m.session_id
            ), versions AS (
                {{versions}}
            ), k AS (
                SELECT coalesce(s.team_id, m.team_id) AS team_id, coalesce(s.experiment_id, m.experiment_id) AS experiment_id,
                       coalesce(s.session_id, m.session_id) AS session_id, coalesce(m.human_message_count, 0) AS human_message_count, m.last_activity
                FROM (SELECT s.team_id, s.experiment_id, s.session_id FROM {{sql.Sessions}} AS s WHERE s.created_at >= @from AND s.created_at < @to) AS s
                FULL JOIN messages AS m ON m.team_id = s.team_id AND m.session_id = s.session_id
            )
            INSERT INTO {{sql.SessionStatistics}} (team_id, experiment_id, session_id, human_message_count, last_activity, versions, updated_at)
            SELECT k.team_id, k.experiment_id, k.session_id, k.human_message_count, k.last_activity, coalesce(v.versions, '{}'::text[]), @now
            FROM k
            LEFT JOIN versions AS v ON {{sql.VersionJoin("v", "k")}}
            """;
    }

    /// <summary>
    /// Whether the bulk build may run: all four tables it writes are empty (so it may insert without merging),
    /// on plain PostgreSQL. With Citus installed the first build takes the chunked path, whose statements are
    /// written to run shard by shard (docs/scale-out.md); these are not (Citus cannot plan them: 0A000).
    /// </summary>
    public static string Empty(CacheSql sql) =>
        $"SELECT to_regclass('pg_catalog.pg_dist_partition') IS NULL AND NOT {CacheSql.HasRows(sql.Buckets)} AND NOT {CacheSql.HasRows(sql.SessionStatistics)} " +
        $"AND NOT {CacheSql.HasRows(sql.FirstSeen)} AND NOT {CacheSql.HasRows(sql.Totals)}";
}
