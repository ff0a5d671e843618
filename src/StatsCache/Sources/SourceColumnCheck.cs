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
    private const string Integer32 = "an integer (integer or smallint)";
    private const string Uuid = "uuid";
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

        var keys = sql.Keys;
        (string, string) Team = ("team_id", Id(keys.Team)), Experiment = ("experiment_id", Id(keys.Experiment)), Session = ("session_id", Id(keys.Session));
        var sources = new List<(string Name, string Relation, (string Column, string Expected)[] Columns)>
        {
            ("Sessions", sql.Sessions, [Team, Experiment, Session, ("participant_id", Id(keys.Participant)), ("created_at", Timestamptz)]),
            ("HumanMessages", sql.HumanMessages, [Team, Experiment, Session, ("created_at", Timestamptz)]),
        };
        if (sql.Versions is { } versions)
        {
            (string, string)[] columns = [Session, ("version", Text), ("created_at", Timestamptz)];
            sources.Add(("Versions", versions, sql.VersionsHaveTeam ? [Team, .. columns] : columns));
        }

        foreach (var measure in sql.Measures)
        {
            (string, string)[] columns = [Team, Experiment, Session, ("created_at", Timestamptz)];
            sources.Add(($"Measures ({measure.Name})", measure.Source, measure.Aggregate == MeasureAggregate.Sum ? [.. columns, ("value", Integer)] : columns));
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
                    problems.Add(Kind(column) is { } kind
                        ? $"source {name} column {column} is {type}; expected {expected}, as Keys.{kind} is {KindType(keys, kind)}. " +
                          $"Declare StatisticsCacheOptions.Keys.{kind} as the column's type{(KeyTypeOf(type) is { } own ? $" ({own})" : "")} (our tables are created in it), cast it in the source's SQL or a view, or map another column."
                        : $"source {name} column {column} is {type}; expected {expected}. Cast it in the source's SQL or a view (e.g. {column}::{(expected == Text ? "text" : expected == Integer ? "bigint" : "timestamptz")}), or map another column.");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("StatsCache: " + string.Join(" ", problems) + " Nothing was done.");
        }

        Checked.AddOrUpdate(sql, true);
    }

    /// <summary>What an id column of a kind stored as <paramref name="type"/> must be: an integer no wider than the kind, or uuid.</summary>
    private static string Id(KeyType type) => type switch
    {
        KeyType.Guid => Uuid,
        KeyType.Int32 => Integer32,
        _ => Integer,
    };

    /// <summary>The <see cref="KeyTypeOptions"/> member declaring the type of the id column <paramref name="column"/>, or null for another column.</summary>
    private static string? Kind(string column) => column switch
    {
        "team_id" => nameof(KeyTypeOptions.TeamId),
        "experiment_id" => nameof(KeyTypeOptions.ExperimentId),
        "session_id" => nameof(KeyTypeOptions.SessionId),
        "participant_id" => nameof(KeyTypeOptions.ParticipantId),
        _ => null,
    };

    private static KeyType KindType(Policy.CacheKeys keys, string kind) => kind switch
    {
        nameof(KeyTypeOptions.TeamId) => keys.Team,
        nameof(KeyTypeOptions.ExperimentId) => keys.Experiment,
        nameof(KeyTypeOptions.SessionId) => keys.Session,
        _ => keys.Participant,
    };

    /// <summary>The key type a column of SQL type <paramref name="type"/> would be declared as, or null when ids cannot be of it.</summary>
    private static KeyType? KeyTypeOf(string type) => type switch
    {
        "uuid" => KeyType.Guid,
        "bigint" => KeyType.Int64,
        "integer" or "smallint" => KeyType.Int32,
        _ => null,
    };

    private static bool Fits(string type, string expected) => expected switch
    {
        Integer => type is "bigint" or "integer" or "smallint",
        Integer32 => type is "integer" or "smallint",
        Uuid => type == "uuid",
        Timestamptz => type == Timestamptz,
        _ => type == "text" || type.StartsWith("character varying", StringComparison.Ordinal) || type.StartsWith("character", StringComparison.Ordinal) || type == "name",
    };
}
