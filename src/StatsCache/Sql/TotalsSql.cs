using StatsCache.Policy;

namespace StatsCache.Sql;

/// <summary>
/// Keeps the per-experiment totals rows (<see cref="CacheSql.Totals"/>) equal to the sums over each
/// experiment's buckets. Every statement here runs in the transaction of the bucket writes it follows,
/// so a reader sees the buckets and their totals change together.
/// </summary>
internal static class TotalsSql
{
    /// <summary>
    /// After the writes of a range (buckets recomputed over [@buckets_from, @to), first-seen and sessions
    /// over [@from, @to)): every experiment with a bucket starting in [@buckets_from, @to) that this
    /// transaction wrote (updated_at = @now: rows that would not change are not rewritten, so a refresh
    /// re-reading its look-back re-sums only the experiments with new rows) — and, when the
    /// range wrote no buckets (<paramref name="writesBuckets"/> false: a piece of a split bucket), every
    /// experiment with a session in [@from, @to), whose earlier buckets may have lost a participant to it;
    /// mirroring deletions, also every experiment <see cref="MarkRange"/> marked before the writes, whose
    /// buckets there may be gone — gets its totals row recomputed from all its buckets, exact by
    /// construction; an experiment left without buckets loses its row. Each experiment's buckets are an
    /// index-only range scan of (team, experiment) with the summed columns included; rows that would not
    /// change are not rewritten. A bucket written outside the range (a participant moved out of an earlier
    /// bucket) belongs to an experiment with a session in the range whose bucket there gains that participant,
    /// hence is written, when the range writes buckets; mirroring, an experiment whose buckets could instead
    /// lose one there has a first visit in the range, and is marked.
    /// </summary>
    /// <remarks>
    /// Two statements, in this order, in the range's transaction: the rows of experiments in scope left without
    /// buckets are removed, then the others are upserted from their sums. Ordered statements rather than one with
    /// a data-modifying CTE: Citus runs those through the coordinator, while each of these runs shard by shard.
    /// </remarks>
    public static IReadOnlyList<string> Recompute(CacheSql sql, bool limited, bool writesBuckets)
    {
        var marked = !sql.MirrorDeletions ? "" : $"""

                UNION
                SELECT t.team_id, t.experiment_id FROM {sql.Totals} AS t WHERE t.updated_at = @now{CacheSql.ExperimentFilter("t", limited)}
            """;
        var sessions = writesBuckets ? "" : $"""

                UNION
                SELECT s.team_id, s.experiment_id FROM {sql.Sessions} AS s
                WHERE s.created_at >= @from AND s.created_at < @to{CacheSql.ExperimentFilter("s", limited)}
            """;
        var scope = $"""
                SELECT DISTINCT b.team_id, b.experiment_id
                FROM {sql.Buckets} AS b
                WHERE b.bucket_size = ANY('{"{1,2,3}"}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to
                  AND b.updated_at = @now{CacheSql.ExperimentFilter("b", limited)}{sessions}{marked}
            """;
        return
        [
            $"""
            DELETE FROM {sql.Totals} AS t
            WHERE (t.team_id, t.experiment_id) IN ({scope})
              AND NOT EXISTS (SELECT 1 FROM {sql.Buckets} AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id)
            """,
            Upsert(sql, $"JOIN ({scope}) AS s ON b.team_id = s.team_id AND b.experiment_id = s.experiment_id", "", UpdateChanged),
        ];
    }

    /// <summary>
    /// Counts only growing (no <see cref="CacheSql.MirrorDeletions"/>), the totals rows follow the bucket writes of a
    /// range by their differences, instead of re-summing every bucket of each experiment written (which costs
    /// the experiment's whole history, every refresh): run just before <see cref="BucketRecomputeSql.Upsert"/> of
    /// <paramref name="size"/>, in the same transaction (hence the same source snapshot and the same bucket rows),
    /// it computes per bucket of the range what that upsert will write — the same merge, from the same
    /// <see cref="BucketRecomputeSql.Fresh"/> rows joined with the bucket rows by their key — minus what the
    /// bucket holds now (nothing for a new bucket), sums those differences per experiment, and adds them to
    /// the experiment's totals row (created for an experiment with its first bucket); last activity is a max
    /// that never decreases, so the row takes the greater. Rows that would not change are not rewritten.
    /// Exact as long as every totals row equals the sums over its experiment's buckets before the range, which
    /// every write of buckets keeps (<see cref="ApplyMovedOut"/> for the participants the first-seen statements
    /// move out of a later bucket; roll-ups keep every sum) and <see cref="FillIfEmpty"/> starts.
    /// </summary>
    public static string ApplyBucketDeltas(CacheSql sql, BucketSize size, bool limited) => $"""
        INSERT INTO {sql.Totals} AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT d.team_id, d.experiment_id, sum(d.session_count)::bigint, sum(d.participant_count)::bigint,
               sum(d.human_message_count)::bigint, max(d.last_activity), @now
        FROM (
            SELECT f.team_id, f.experiment_id,
                   GREATEST(b.session_count, f.session_count) - coalesce(b.session_count, 0) AS session_count,
                   f.new_participant_count - coalesce(b.new_participant_count, 0) AS participant_count,
                   GREATEST(b.human_message_count, f.human_message_count) - coalesce(b.human_message_count, 0) AS human_message_count,
                   f.last_activity
            FROM {BucketRecomputeSql.Fresh(sql, size, limited)} AS f
            LEFT JOIN {sql.Buckets} AS b
              ON b.team_id = f.team_id AND b.experiment_id = f.experiment_id AND b.bucket_start = f.bucket_start AND b.bucket_size = {(short)size}
        ) AS d
        GROUP BY d.team_id, d.experiment_id
        ON CONFLICT (team_id, experiment_id) DO UPDATE SET
            session_count = t.session_count + excluded.session_count,
            participant_count = t.participant_count + excluded.participant_count,
            human_message_count = t.human_message_count + excluded.human_message_count,
            last_activity = GREATEST(t.last_activity, excluded.last_activity),
            updated_at = excluded.updated_at
        WHERE excluded.session_count <> 0 OR excluded.participant_count <> 0 OR excluded.human_message_count <> 0
           OR t.last_activity IS DISTINCT FROM GREATEST(t.last_activity, excluded.last_activity)
        """;

    /// <summary>
    /// Counts only growing, the totals side of the first-seen statements' move of participants out of a later
    /// bucket (<see cref="FirstSeenSql.MovedOut"/>, read before the first-seen rows change, as that statement reads
    /// them): each experiment's participant count goes down by the participants moved out of its buckets.
    /// </summary>
    public static string ApplyMovedOut(CacheSql sql, bool limited) => $"""
        UPDATE {sql.Totals} AS t
        SET participant_count = t.participant_count - l.participants, updated_at = @now
        FROM (
            SELECT m.team_id, m.experiment_id, sum(m.participants)::bigint AS participants
            FROM (
                {FirstSeenSql.MovedOut(sql, limited)}
            ) AS m
            GROUP BY m.team_id, m.experiment_id
        ) AS l
        WHERE t.team_id = l.team_id AND t.experiment_id = l.experiment_id
        """;

    /// <summary>
    /// Mirroring deletions, before the writes of a range: marks (updated_at = @now) the totals rows of the
    /// experiments with a bucket starting in [@buckets_from, @to) or a first visit recorded in [@from, @to),
    /// so <see cref="Recompute"/> still finds an experiment whose buckets there all disappear, or whose
    /// participant moves to a later bucket.
    /// </summary>
    public static string MarkRange(CacheSql sql, bool limited) => $"""
        UPDATE {sql.Totals} AS t SET updated_at = @now
        FROM (SELECT b.team_id, b.experiment_id
              FROM {sql.Buckets} AS b
              WHERE b.bucket_size = ANY('{"{1,2,3}"}'::smallint[]) AND b.bucket_start >= @buckets_from AND b.bucket_start < @to{CacheSql.ExperimentFilter("b", limited)}
              UNION
              SELECT f.team_id, f.experiment_id
              FROM {sql.FirstSeen} AS f
              WHERE f.first_seen_at >= @from AND f.first_seen_at < @to{CacheSql.ExperimentFilter("f", limited)}) AS s
        WHERE t.team_id = s.team_id AND t.experiment_id = s.experiment_id
        """;

    /// <summary>
    /// Fills an empty totals table from the buckets, in one statement (hence all rows or none): a cache built
    /// before the table existed, or whose totals were emptied. The emptiness check costs one probe, so it can
    /// lead every recompute batch. A DO block around the INSERT, not a WHERE on it: Citus cannot plan an
    /// INSERT … SELECT filtered by a sub-query of a distributed table (0A000), and checks first this way.
    /// DO takes no parameters, so <paramref name="now"/> is written as a literal (our clock, never input).
    /// </summary>
    public static string FillIfEmpty(CacheSql sql, DateTime now) => $"""
        DO $statscache_fill_totals$
        BEGIN
            IF NOT {CacheSql.HasRows(sql.Totals)} THEN
                {Upsert(sql, "", "", "DO NOTHING").Replace("@now", Literal(now), StringComparison.Ordinal).Replace("\n", "\n        ", StringComparison.Ordinal)};
            END IF;
        END
        $statscache_fill_totals$
        """;

    private static string Literal(DateTime utc) =>
        "'" + utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "+00'::timestamptz";

    /// <summary>
    /// The end of a full backfill: totals rows of experiments without any bucket are removed (a rebuild over an
    /// emptied bucket table leaves the rows of experiments with nothing left in the source untouched otherwise).
    /// </summary>
    public static string RemoveOrphans(CacheSql sql) => $"""
        DELETE FROM {sql.Totals} AS t
        WHERE NOT EXISTS (SELECT 1 FROM {sql.Buckets} AS b WHERE b.team_id = t.team_id AND b.experiment_id = t.experiment_id)
        """;

    /// <summary>
    /// Verify's repair: every totals row set to the sums over its experiment's buckets, missing rows added,
    /// rows without buckets removed, in two statements run as one batch (one implicit transaction); their
    /// affected rows are how many rows it changed (0 when all agree, as they do unless someone wrote to our
    /// tables by hand).
    /// </summary>
    public static IReadOnlyList<string> Repair(CacheSql sql) => [Upsert(sql, "", "", UpdateChanged), RemoveOrphans(sql)];

    /// <summary>Totals rows that differ from the sums over their buckets (or exist without buckets, or are missing): verify's check.</summary>
    public static string Mismatches(CacheSql sql) => $"""
        WITH sums AS (
            {Sums(sql, "")}
        )
        SELECT count(*)
        FROM sums AS x
        FULL JOIN {sql.Totals} AS t ON t.team_id = x.team_id AND t.experiment_id = x.experiment_id
        WHERE (x.session_count, x.participant_count, x.human_message_count, x.last_activity)
              IS DISTINCT FROM (t.session_count, t.participant_count, t.human_message_count, t.last_activity)
        """;

    private static string Sums(CacheSql sql, string join) => $"""
        SELECT b.team_id, b.experiment_id,
                       sum(b.session_count)::bigint AS session_count, sum(b.new_participant_count)::bigint AS participant_count,
                       sum(b.human_message_count)::bigint AS human_message_count, max(b.last_activity) AS last_activity
                FROM {sql.Buckets} AS b {join}
                GROUP BY b.team_id, b.experiment_id
        """;

    /// <summary>
    /// INSERT … SELECT of the sums over the buckets (joined with <paramref name="join"/>, filtered by
    /// <paramref name="where"/>) into the totals rows, grouped by (team, experiment): a sub-query rather than a
    /// CTE, which Citus would turn into an intermediate result instead of running it on each shard.
    /// </summary>
    private static string Upsert(CacheSql sql, string join, string where, string onConflict) => $"""
        INSERT INTO {sql.Totals} AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint,
               sum(b.human_message_count)::bigint, max(b.last_activity), @now
        FROM {sql.Buckets} AS b {join}
        {where}
        GROUP BY b.team_id, b.experiment_id
        ON CONFLICT (team_id, experiment_id) {onConflict}
        """;

    /// <summary>The update of an existing totals row, skipped when it would not change (no dead tuple, no index write).</summary>
    private const string UpdateChanged = """
        DO UPDATE SET
            session_count = excluded.session_count,
            participant_count = excluded.participant_count,
            human_message_count = excluded.human_message_count,
            last_activity = excluded.last_activity,
            updated_at = excluded.updated_at
        WHERE (t.session_count, t.participant_count, t.human_message_count, t.last_activity)
            IS DISTINCT FROM (excluded.session_count, excluded.participant_count, excluded.human_message_count, excluded.last_activity)
        """;
}
