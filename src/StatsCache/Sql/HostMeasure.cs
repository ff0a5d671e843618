using System.Security.Cryptography;
using System.Text;

namespace StatsCache.Sql;

/// <summary>
/// A host-declared measure, resolved at start-up: its name, its aggregate and its source as a sub-query with the
/// canonical columns (<c>team_id, experiment_id, session_id, created_at</c> and, for a sum, <c>value</c>).
/// </summary>
/// <param name="Name">The validated name: the key of the results' <c>Measures</c> dictionaries and of our rows.</param>
/// <param name="Aggregate">Count or sum.</param>
/// <param name="Source">The parenthesised sub-query of the measure's rows.</param>
internal sealed record HostMeasure(string Name, MeasureAggregate Aggregate, string Source)
{
    /// <summary>The value one source row <c>alias</c> adds: 1 for a count, its value (null adds nothing) for a sum.</summary>
    public string Value(string alias) => Aggregate == MeasureAggregate.Count ? "1" : $"coalesce({alias}.value, 0)";

    /// <summary>The aggregate over source rows <c>alias</c>, as a bigint.</summary>
    public string Aggregated(string alias) => Aggregate == MeasureAggregate.Count ? "count(*)" : $"coalesce(sum({alias}.value), 0)::bigint";

    /// <summary>
    /// What the registry remembers of the definition: a measure whose aggregate or source changed is rebuilt.
    /// Hex SHA-256 of the aggregate and the source text.
    /// </summary>
    public string Fingerprint { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Aggregate + "\n" + Source)));

    /// <summary>The name as a SQL string literal (names are validated plain identifiers, so no quote can occur).</summary>
    public string Literal => "'" + Name + "'";
}
