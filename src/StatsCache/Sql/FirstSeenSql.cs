namespace StatsCache.Sql;

/// <summary>
/// Keeps <c>participant_first_seen</c> up to date for a range, and moves a participant out of the
/// bucket that counted it as new when a late session shows an earlier first visit.
/// </summary>
/// <remarks>
/// Each step is a statement of its own, run in order in the range's transaction (so atomic), rather
/// than data-modifying CTEs of one statement: Citus runs those through the coordinator (and cannot
/// plan them with parameters at all), while each of these statements joins only rows of one team
/// on the same shard (every join includes team_id), so it runs shard by shard. The statements
/// before the last read the first-seen rows as they were before the range was applied.
/// </remarks>
internal static class FirstSeenSql
{
    /// <summary>
    /// For every (experiment, participant) with a session in [@from, @to) it takes the earliest such
    /// session and, where that is earlier than what we knew (or we knew nothing), records it. Where
    /// the participant had been counted as new in a bucket outside the range, that bucket's
    /// new_participant_count goes down by one first; buckets inside the range are recounted by
    /// <see cref="BucketRecomputeSql"/> right after. The lookup is keyed on our own table: no
    /// correlated NOT EXISTS over the host's sessions (which plans 25–30× slower). A first visit
    /// recorded before @from can never move (the range only holds later sessions), so only those at or
    /// after @to are moved out of their bucket.
    /// </summary>
    public static IReadOnlyList<string> Upsert(CacheSql sql, bool limited) => sql.MirrorDeletions ? Mirror(sql, limited) :
    [
        $"""
        UPDATE {sql.Buckets} AS b
        SET new_participant_count = b.new_participant_count - l.participants, updated_at = @now
        FROM (
            {MovedOut(sql, limited)}
        ) AS l
        WHERE b.team_id = l.team_id AND b.experiment_id = l.experiment_id
          AND b.bucket_start = l.bucket_start AND b.bucket_size = l.bucket_size
        """,
        $"""
        INSERT INTO {sql.FirstSeen} AS f (team_id, experiment_id, participant_id, first_seen_at)
        SELECT c.team_id, c.experiment_id, c.participant_id, c.first_seen_at
        FROM ({Candidates(sql, limited)}) AS c
        LEFT JOIN {sql.FirstSeen} AS p
          ON p.team_id = c.team_id AND p.experiment_id = c.experiment_id AND p.participant_id = c.participant_id
        WHERE p.first_seen_at IS NULL OR c.first_seen_at < p.first_seen_at
        ON CONFLICT (team_id, experiment_id, participant_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
        """,
    ];

    /// <summary>
    /// Mirroring deletions, one statement (data-modifying CTEs: not for Citus, see docs/scale-out.md). As <see cref="Upsert"/>, plus: a first visit we recorded
    /// inside [@from, @to) is replaced by the participant's earliest session in the range, or, when
    /// none is left there, by their first session after it (found through the host's sessions by
    /// experiment and participant) — that bucket, if it exists, gains the participant — or deleted
    /// when they have no session left. Earlier ranges are authoritative for earlier first visits.
    /// </summary>
    private static IReadOnlyList<string> Mirror(CacheSql sql, bool limited) => [$"""
        WITH candidates AS (
            {Candidates(sql, limited)}
        ), recorded AS (
            SELECT f.team_id, f.experiment_id, f.participant_id, f.first_seen_at
            FROM {sql.FirstSeen} AS f
            WHERE f.first_seen_at >= @from AND f.first_seen_at < @to{CacheSql.ExperimentFilter("f", limited)}
        ), moved AS (
            -- earlier than what we knew (or new), or a first visit in the range that changed
            SELECT c.team_id, c.experiment_id, c.participant_id, c.first_seen_at, f.first_seen_at AS previous_first_seen_at
            FROM candidates AS c
            LEFT JOIN {sql.FirstSeen} AS f
              ON f.team_id = c.team_id AND f.experiment_id = c.experiment_id AND f.participant_id = c.participant_id
            WHERE f.first_seen_at IS NULL OR c.first_seen_at < f.first_seen_at
               OR (f.first_seen_at >= @from AND f.first_seen_at < @to AND c.first_seen_at <> f.first_seen_at)
        ), lost AS (
            -- recorded first visits in the range whose participant has no session in it any more
            SELECT r.team_id, r.experiment_id, r.participant_id,
                   (SELECT min(x.created_at) FROM {sql.Sessions} AS x
                    WHERE x.team_id = r.team_id AND x.experiment_id = r.experiment_id AND x.participant_id = r.participant_id
                      AND x.created_at >= @to) AS next_first_seen_at
            FROM recorded AS r
            WHERE NOT EXISTS (SELECT 1 FROM candidates AS c
                              WHERE c.team_id = r.team_id AND c.experiment_id = r.experiment_id AND c.participant_id = r.participant_id)
        ), left_behind AS (
            SELECT b.team_id, b.experiment_id, b.bucket_start, b.bucket_size, count(*) AS participants
            FROM moved AS m
            JOIN {sql.Buckets} AS b ON {BucketHolding(sql, "b", "m", "previous_first_seen_at")}
            WHERE m.previous_first_seen_at IS NOT NULL
              AND (m.previous_first_seen_at < @from OR m.previous_first_seen_at >= @to)
            GROUP BY b.team_id, b.experiment_id, b.bucket_start, b.bucket_size
        ), arrived AS (
            SELECT b.team_id, b.experiment_id, b.bucket_start, b.bucket_size, count(*) AS participants
            FROM lost AS l
            JOIN {sql.Buckets} AS b ON {BucketHolding(sql, "b", "l", "next_first_seen_at")}
            GROUP BY b.team_id, b.experiment_id, b.bucket_start, b.bucket_size
        ), deltas AS (
            SELECT team_id, experiment_id, bucket_start, bucket_size, sum(delta) AS delta
            FROM (SELECT team_id, experiment_id, bucket_start, bucket_size, -participants AS delta FROM left_behind
                  UNION ALL
                  SELECT team_id, experiment_id, bucket_start, bucket_size, participants FROM arrived) AS d
            GROUP BY team_id, experiment_id, bucket_start, bucket_size
        ), recounted AS (
            UPDATE {sql.Buckets} AS b
            SET new_participant_count = b.new_participant_count + d.delta, updated_at = @now
            FROM deltas AS d
            WHERE b.team_id = d.team_id AND b.experiment_id = d.experiment_id
              AND b.bucket_start = d.bucket_start AND b.bucket_size = d.bucket_size
        ), forgotten AS (
            DELETE FROM {sql.FirstSeen} AS f
            USING lost AS l
            WHERE l.next_first_seen_at IS NULL
              AND f.team_id = l.team_id AND f.experiment_id = l.experiment_id AND f.participant_id = l.participant_id
        )
        INSERT INTO {sql.FirstSeen} AS f (team_id, experiment_id, participant_id, first_seen_at)
        SELECT team_id, experiment_id, participant_id, first_seen_at FROM moved
        UNION ALL
        SELECT team_id, experiment_id, participant_id, next_first_seen_at FROM lost WHERE next_first_seen_at IS NOT NULL
        ON CONFLICT (team_id, experiment_id, participant_id) DO UPDATE SET first_seen_at = excluded.first_seen_at
        """];

    /// <summary>
    /// Per bucket (team_id, experiment_id, bucket_start, bucket_size), how many participants the range moves out
    /// of it (participants): those it counted as new at a first visit at or after @to, which a session in the
    /// range shows earlier. Read before the first-seen rows are updated; <see cref="Upsert"/> subtracts it from
    /// the buckets, <see cref="TotalsSql.ApplyMovedOut"/> from their totals.
    /// </summary>
    public static string MovedOut(CacheSql sql, bool limited) => $"""
        SELECT x.team_id, x.experiment_id, x.bucket_start, x.bucket_size, count(*) AS participants
            FROM ({Candidates(sql, limited)}) AS c
            JOIN {sql.FirstSeen} AS f
              ON f.team_id = c.team_id AND f.experiment_id = c.experiment_id AND f.participant_id = c.participant_id
             AND f.first_seen_at >= @to AND c.first_seen_at < f.first_seen_at
            JOIN {sql.Buckets} AS x ON {BucketHolding(sql, "x", "f", "first_seen_at")}
            GROUP BY x.team_id, x.experiment_id, x.bucket_start, x.bucket_size
        """;

    /// <summary>The earliest session in [@from, @to) of every (experiment, participant) with one.</summary>
    private static string Candidates(CacheSql sql, bool limited) => $"""
        SELECT s.team_id, s.experiment_id, s.participant_id, min(s.created_at) AS first_seen_at
                FROM {sql.Sessions} AS s
                WHERE s.created_at >= @from AND s.created_at < @to AND s.participant_id IS NOT NULL{CacheSql.ExperimentFilter("s", limited)}
                GROUP BY s.team_id, s.experiment_id, s.participant_id
        """;

    /// <summary>
    /// Join condition: bucket <paramref name="bucket"/> of the row's experiment that holds the instant
    /// alias.column, whatever its size (the 32-day lower bound lets the primary key range-scan).
    /// </summary>
    private static string BucketHolding(CacheSql sql, string bucket, string alias, string column) =>
        $"{bucket}.team_id = {alias}.team_id AND {bucket}.experiment_id = {alias}.experiment_id AND {bucket}.bucket_start <= {alias}.{column} " +
        $"AND {bucket}.bucket_start > {alias}.{column} - interval '32 days' AND {alias}.{column} < {sql.BucketEnd(bucket)}";
}
