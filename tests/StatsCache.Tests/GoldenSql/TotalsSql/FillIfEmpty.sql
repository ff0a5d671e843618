-- TotalsSql/FillIfEmpty, the same in every configuration. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
DO $statscache_fill_totals$
BEGIN
    IF NOT ((SELECT true FROM "stats"."statscache_experiment_totals" LIMIT 1) IS NOT NULL) THEN
        INSERT INTO "stats"."statscache_experiment_totals" AS t (team_id, experiment_id, session_count, participant_count, human_message_count, last_activity, updated_at)
        SELECT b.team_id, b.experiment_id,
               sum(b.session_count)::bigint, sum(b.new_participant_count)::bigint,
               sum(b.human_message_count)::bigint, max(b.last_activity), '2026-11-24 23:00:00.000000+00'::timestamptz
        FROM "stats"."statscache_experiment_buckets" AS b 
        
        GROUP BY b.team_id, b.experiment_id
        ON CONFLICT (team_id, experiment_id) DO NOTHING;
    END IF;
END
$statscache_fill_totals$
