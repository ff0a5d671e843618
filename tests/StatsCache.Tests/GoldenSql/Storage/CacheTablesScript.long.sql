-- Storage/CacheTablesScript, for keys=long (the same whatever the other settings). Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.
-- StatsCache tables in schema stats: idempotent, safe to run again (existing tables and rows are kept).
CREATE SCHEMA IF NOT EXISTS "stats";

CREATE TABLE IF NOT EXISTS stats.statscache_experiment_buckets (
    team_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    bucket_size smallint NOT NULL,
    bucket_start timestamp with time zone NOT NULL,
    session_count integer NOT NULL,
    new_participant_count integer NOT NULL,
    human_message_count bigint NOT NULL,
    last_activity timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_experiment_buckets" PRIMARY KEY (team_id, experiment_id, bucket_start, bucket_size)
);

CREATE TABLE IF NOT EXISTS stats.statscache_experiment_measure_buckets (
    team_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    measure character varying(63) NOT NULL,
    bucket_size smallint NOT NULL,
    bucket_start timestamp with time zone NOT NULL,
    value bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_experiment_measure_buckets" PRIMARY KEY (team_id, experiment_id, measure, bucket_start, bucket_size)
);

CREATE TABLE IF NOT EXISTS stats.statscache_experiment_measures (
    team_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    measure character varying(63) NOT NULL,
    value bigint NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_experiment_measures" PRIMARY KEY (team_id, experiment_id, measure)
);

CREATE TABLE IF NOT EXISTS stats.statscache_experiment_totals (
    team_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    session_count bigint NOT NULL,
    participant_count bigint NOT NULL,
    human_message_count bigint NOT NULL,
    last_activity timestamp with time zone,
    last_activity_or_min timestamp with time zone GENERATED ALWAYS AS (coalesce(last_activity, '-infinity'::timestamptz)) STORED NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_experiment_totals" PRIMARY KEY (team_id, experiment_id)
);

CREATE TABLE IF NOT EXISTS stats.statscache_measures (
    cache_name character varying(63) NOT NULL,
    measure character varying(63) NOT NULL,
    fingerprint character varying(64) NOT NULL,
    built_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_measures" PRIMARY KEY (cache_name, measure)
);

CREATE TABLE IF NOT EXISTS stats.statscache_participant_first_seen (
    team_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    participant_id bigint NOT NULL,
    first_seen_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_participant_first_seen" PRIMARY KEY (team_id, experiment_id, participant_id)
);

CREATE TABLE IF NOT EXISTS stats.statscache_runs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    cache_name character varying(63) NOT NULL,
    operation character varying(16) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    duration_ms double precision NOT NULL,
    rows_written bigint NOT NULL,
    detail text,
    CONSTRAINT "PK_statscache_runs" PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS stats.statscache_session_measures (
    team_id bigint NOT NULL,
    session_id bigint NOT NULL,
    measure character varying(63) NOT NULL,
    experiment_id bigint NOT NULL,
    value bigint NOT NULL,
    last_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_session_measures" PRIMARY KEY (team_id, session_id, measure)
);

CREATE TABLE IF NOT EXISTS stats.statscache_session_statistics (
    team_id bigint NOT NULL,
    session_id bigint NOT NULL,
    experiment_id bigint NOT NULL,
    human_message_count bigint NOT NULL,
    last_activity timestamp with time zone,
    last_activity_or_min timestamp with time zone GENERATED ALWAYS AS (coalesce(last_activity, '-infinity'::timestamptz)) STORED NOT NULL,
    versions text[] NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_session_statistics" PRIMARY KEY (team_id, session_id)
);

CREATE TABLE IF NOT EXISTS stats.statscache_source_changes (
    id bigint GENERATED ALWAYS AS IDENTITY,
    cache_name character varying(63) NOT NULL,
    team_id bigint,
    experiment_id bigint,
    session_id bigint,
    changed_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_source_changes" PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS stats.statscache_state (
    cache_name character varying(63) NOT NULL,
    watermark timestamp with time zone,
    daily_from timestamp with time zone,
    hourly_from timestamp with time zone,
    backfill_requested_from timestamp with time zone,
    backfill_experiments bigint[],
    backfill_to timestamp with time zone,
    backfill_done_until timestamp with time zone,
    time_zone text,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT "PK_statscache_state" PRIMARY KEY (cache_name)
);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_buckets_size_start ON stats.statscache_experiment_buckets (bucket_size, bucket_start);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_buckets_totals ON stats.statscache_experiment_buckets (team_id, experiment_id) INCLUDE (session_count, new_participant_count, human_message_count, last_activity);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_measure_buckets_size_start ON stats.statscache_experiment_measure_buckets (bucket_size, bucket_start);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_measures_value ON stats.statscache_experiment_measures (team_id, measure, value, experiment_id);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_totals_last_activity ON stats.statscache_experiment_totals (team_id, last_activity_or_min DESC, experiment_id);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_totals_messages ON stats.statscache_experiment_totals (team_id, human_message_count, experiment_id);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_totals_participants ON stats.statscache_experiment_totals (team_id, participant_count, experiment_id);

CREATE INDEX IF NOT EXISTS ix_statscache_experiment_totals_sessions ON stats.statscache_experiment_totals (team_id, session_count, experiment_id);

CREATE INDEX IF NOT EXISTS ix_statscache_participant_first_seen_at ON stats.statscache_participant_first_seen (first_seen_at);

CREATE INDEX IF NOT EXISTS ix_statscache_runs_operation_started ON stats.statscache_runs (cache_name, operation, started_at);

CREATE INDEX IF NOT EXISTS ix_statscache_session_measures_last_at ON stats.statscache_session_measures (measure, last_at);

CREATE INDEX IF NOT EXISTS ix_statscache_session_statistics_last_activity ON stats.statscache_session_statistics (team_id, experiment_id, last_activity_or_min DESC, session_id);

CREATE INDEX IF NOT EXISTS ix_statscache_source_changes_cache_id ON stats.statscache_source_changes (cache_name, id);

