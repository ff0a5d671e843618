namespace StatsCache;

/// <summary>
/// Where one kind of source row lives: either a table or view (<see cref="Table"/>, optionally
/// <see cref="Schema"/>, with the column names of the derived options), or a SELECT
/// (<see cref="Sql"/>) whose columns carry the canonical names listed on each derived type.
/// </summary>
/// <remarks>
/// Table, schema and column names are validated (plain SQL identifiers, at most 63 characters) and
/// always quoted. A <see cref="Sql"/> text is trusted code, like a view: it is embedded as a
/// sub-query, so it must be one SELECT (or WITH … SELECT) without a semicolon and without parameters.
/// </remarks>
public abstract class SourceOptions
{
    /// <summary>Schema of <see cref="Table"/>; <see langword="null"/> uses the connection's search path.</summary>
    public string? Schema { get; set; }

    /// <summary>Table or view holding the rows. Exactly one of <see cref="Table"/> and <see cref="Sql"/> must be set.</summary>
    public string? Table { get; set; }

    /// <summary>A SELECT producing the rows with the canonical column names. Exactly one of <see cref="Table"/> and <see cref="Sql"/> must be set.</summary>
    public string? Sql { get; set; }

    /// <summary>
    /// For change tracking of a <see cref="Sql"/> source: the table its SELECT reads, whose columns are
    /// named by this source's column options (triggers go on this table). Ignored when
    /// <see cref="Table"/> is set: that table is tracked. Must be a table, not a view.
    /// </summary>
    public string? ChangeTrackingTable { get; set; }

    /// <summary>Whether this source has been configured at all.</summary>
    public bool IsConfigured => Table is not null || Sql is not null;

    /// <summary>The canonical column names and the configured column each maps to.</summary>
    internal abstract IReadOnlyList<(string Canonical, string Column)> ColumnMap();
}
