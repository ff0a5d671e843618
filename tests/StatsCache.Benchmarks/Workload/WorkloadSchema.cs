namespace StatsCache.Benchmarks.Workload;

/// <summary>
/// The host's tables and the indexes a real app has. Tables are created bare and indexed after the
/// bulk load (minutes faster at 20M rows); the indexes are the ones an OCS-like app keeps anyway:
/// sessions by experiment (and by time, for the cache), messages by session and time, and by time.
/// </summary>
internal static class WorkloadSchema
{
    public const string Tables = """
        CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE IF NOT EXISTS teams (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE IF NOT EXISTS experiments (id bigint PRIMARY KEY, team_id bigint NOT NULL, name text NOT NULL);
        CREATE TABLE IF NOT EXISTS participants (id bigint PRIMARY KEY, team_id bigint NOT NULL, identifier text NOT NULL);
        CREATE TABLE IF NOT EXISTS chat_sessions (
            id bigint PRIMARY KEY, team_id bigint NOT NULL, experiment_id bigint NOT NULL,
            participant_id bigint, created_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS chat_messages (
            id bigint PRIMARY KEY, team_id bigint NOT NULL, experiment_id bigint NOT NULL,
            session_id bigint NOT NULL, is_human boolean NOT NULL, created_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS message_versions (
            id bigint PRIMARY KEY, message_id bigint NOT NULL, session_id bigint NOT NULL,
            version text NOT NULL, created_at timestamptz NOT NULL);
        """;

    public static readonly IReadOnlyList<string> Indexes =
    [
        "CREATE INDEX IF NOT EXISTS ix_experiments_team ON experiments (team_id)",
        "CREATE INDEX IF NOT EXISTS ix_sessions_experiment ON chat_sessions (experiment_id, created_at)",
        "CREATE INDEX IF NOT EXISTS ix_sessions_created ON chat_sessions (created_at)",
        // Django indexes every foreign key; the seed's "first session of this participant" check relies on it.
        "CREATE INDEX IF NOT EXISTS ix_sessions_participant ON chat_sessions (participant_id)",
        "CREATE INDEX IF NOT EXISTS ix_messages_session_created ON chat_messages (session_id, created_at)",
        "CREATE INDEX IF NOT EXISTS ix_messages_created ON chat_messages (created_at)",
        "CREATE INDEX IF NOT EXISTS ix_versions_session ON message_versions (session_id)",
        "CREATE INDEX IF NOT EXISTS ix_versions_created ON message_versions (created_at)",
    ];
}
