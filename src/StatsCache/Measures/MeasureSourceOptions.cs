namespace StatsCache;

/// <summary>
/// The rows a host-declared measure aggregates: one row per event (a bot message, a model call). Canonical
/// columns: <c>team_id</c>, <c>experiment_id</c>, <c>session_id</c>, <c>created_at</c> (timestamptz) and, for
/// <see cref="MeasureAggregate.Sum"/>, <c>value</c> (an integer). Filter with a view or
/// <see cref="SourceOptions.Sql"/> (e.g. <c>SELECT … FROM chat_messages WHERE NOT is_human</c>).
/// </summary>
/// <remarks>Keep indexes on <see cref="CreatedAtColumn"/> and on (<see cref="SessionIdColumn"/>, <see cref="CreatedAtColumn"/>), as for human messages.</remarks>
public sealed class MeasureSourceOptions : SourceOptions
{
    /// <summary>Column holding the owning team's id. Default <c>team_id</c>.</summary>
    public string TeamIdColumn { get; set; } = "team_id";

    /// <summary>Column holding the experiment id. Default <c>experiment_id</c>.</summary>
    public string ExperimentIdColumn { get; set; } = "experiment_id";

    /// <summary>Column holding the session id. Default <c>session_id</c>.</summary>
    public string SessionIdColumn { get; set; } = "session_id";

    /// <summary>Column holding when the event happened (timestamptz). Default <c>created_at</c>.</summary>
    public string CreatedAtColumn { get; set; } = "created_at";

    /// <summary>
    /// Column holding the integer summed by <see cref="MeasureAggregate.Sum"/> (e.g. <c>tokens</c>); <see langword="null"/>
    /// (default) for a <see cref="MeasureAggregate.Count"/>. Required for a sum over a <see cref="SourceOptions.Table"/>; a
    /// <see cref="SourceOptions.Sql"/> source of a sum returns it as <c>value</c>.
    /// </summary>
    public string? ValueColumn { get; set; }

    internal override IReadOnlyList<(string Canonical, string Column)> ColumnMap() => ValueColumn is { } value
        ?
        [
            ("team_id", TeamIdColumn),
            ("experiment_id", ExperimentIdColumn),
            ("session_id", SessionIdColumn),
            ("created_at", CreatedAtColumn),
            ("value", value),
        ]
        :
        [
            ("team_id", TeamIdColumn),
            ("experiment_id", ExperimentIdColumn),
            ("session_id", SessionIdColumn),
            ("created_at", CreatedAtColumn),
        ];

    internal MeasureSourceOptions Copy() => new()
    {
        Schema = Schema, Table = Table, Sql = Sql, ChangeTrackingTable = ChangeTrackingTable,
        TeamIdColumn = TeamIdColumn, ExperimentIdColumn = ExperimentIdColumn, SessionIdColumn = SessionIdColumn,
        CreatedAtColumn = CreatedAtColumn, ValueColumn = ValueColumn,
    };
}
