using System.Text.RegularExpressions;

namespace StatsCache.Sources;

/// <summary>
/// Validation and quoting of identifiers that come from configuration. We accept only plain
/// identifiers (letters, digits, underscore, dollar; at most 63 bytes, PostgreSQL's limit) and
/// always quote them, so a name can neither inject SQL nor be silently truncated or case-folded.
/// </summary>
internal static partial class SqlIdentifier
{
    private const int MaxLength = 63;

    /// <summary>Whether <paramref name="name"/> is an identifier we accept.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && PlainIdentifier().IsMatch(name);

    /// <summary>Why <paramref name="name"/> is not accepted, or <see langword="null"/> if it is.</summary>
    public static string? Problem(string? name) => name switch
    {
        null or "" => "is empty",
        { Length: > MaxLength } => $"is {name.Length} characters long; PostgreSQL identifiers have at most {MaxLength}",
        _ when !PlainIdentifier().IsMatch(name) =>
            $"'{name}' is not a plain identifier (letters, digits, '_' or '$', not starting with a digit)",
        _ => null,
    };

    /// <summary>The identifier in double quotes.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid identifier.</exception>
    public static string Quote(string name)
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new ArgumentException($"Identifier {problem}.", nameof(name));
        }

        return "\"" + name + "\"";
    }

    /// <summary>A schema-qualified, quoted name; the schema is omitted when null.</summary>
    public static string QuoteQualified(string? schema, string name) =>
        schema is null ? Quote(name) : Quote(schema) + "." + Quote(name);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_$]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
