using System.Runtime.CompilerServices;
using Npgsql;
using StatsCache.Sql;

namespace StatsCache.Sources;

/// <summary>
/// Checks, once per process and cache, that each source's columns have the types our statements need,
/// with a <c>SELECT … LIMIT 0</c> of the source (no row is read). A text session id or a timestamp without
/// time zone would otherwise fail deep inside the first refresh (42883 operator does not exist) after the
/// state already says "backfill in progress" — or, for the timestamp, be read through the session's zone.
/// Run before any maintenance writes; the message names the source, the column, the type found and expected.
/// </summary>
internal static class SourceColumnCheck
{
    private const string Integer = "an integer (bigint, integer or smallint)";
    private const string Timestamptz = "timestamp with time zone";
    private const string Text = "text (or varchar)";

    private static readonly ConditionalWeakTable<CacheSql, object> Checked = [];

    /// <exception cref="InvalidOperationException">A source lacks a column or has one of another type.</exception>
    public static async Task RequireAsync(NpgsqlConnection connection, CacheSql sql, CancellationToken cancellationToken)
    {
        if (Checked.TryGetValue(sql, out _))
        {
            return;
        }

        var sources = new List<(string Name, string Relation, (string Column, string Expected)[] Columns)>
        {
            ("Sessions", sql.Sessions, [("team_id", Integer), ("experiment_id", Integer), ("session_id", Integer), ("participant_id", Integer), ("created_at", Timestamptz)]),
            ("HumanMessages", sql.HumanMessages, [("team_id", Integer), ("experiment_id", Integer), ("session_id", Integer), ("created_at", Timestamptz)]),
        };
        if (sql.Versions is { } versions)
        {
            (string, string)[] columns = [("session_id", Integer), ("version", Text), ("created_at", Timestamptz)];
            sources.Add(("Versions", versions, sql.VersionsHaveTeam ? [("team_id", Integer), .. columns] : columns));
        }

        var problems = new List<string>();
        foreach (var (name, relation, columns) in sources)
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM {relation} AS source LIMIT 0", connection);
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SchemaOnly, cancellationToken).ConfigureAwait(false);
            var found = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetDataTypeName, StringComparer.Ordinal);
            foreach (var (column, expected) in columns)
            {
                if (!found.TryGetValue(column, out var type))
                {
                    problems.Add($"source {name} has no column {column} (it has {string.Join(", ", found.Keys)}); its SQL must name it so, or its column option must point at it.");
                }
                else if (!Fits(type, expected))
                {
                    problems.Add($"source {name} column {column} is {type}; expected {expected}. Cast it in the source's SQL or a view (e.g. {column}::{(expected == Integer ? "bigint" : expected == Text ? "text" : "timestamptz")}), or map another column.");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("StatsCache: " + string.Join(" ", problems) + " Nothing was done.");
        }

        Checked.AddOrUpdate(sql, true);
    }

    private static bool Fits(string type, string expected) => expected switch
    {
        Integer => type is "bigint" or "integer" or "smallint",
        Timestamptz => type == Timestamptz,
        _ => type == "text" || type.StartsWith("character varying", StringComparison.Ordinal) || type.StartsWith("character", StringComparison.Ordinal) || type == "name",
    };
}
