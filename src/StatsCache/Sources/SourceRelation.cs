namespace StatsCache.Sources;

/// <summary>
/// A configured source turned into a parenthesised sub-query exposing the canonical column names.
/// A table becomes <c>(SELECT t."col" AS team_id, … FROM "schema"."table" AS t)</c>: PostgreSQL
/// flattens such a sub-query, so predicates on <c>created_at</c> still reach the host's indexes.
/// </summary>
internal static class SourceRelation
{
    public static string ToSql(SourceOptions source)
    {
        if (source.Sql is { } sql)
        {
            // The newline keeps a trailing "-- comment" in the host's SQL from swallowing the parenthesis.
            return "(" + sql.Trim() + "\n)";
        }

        var columns = string.Join(", ", source.ColumnMap().Select(c => $"t.{SqlIdentifier.Quote(c.Column)} AS {c.Canonical}"));
        return $"(SELECT {columns} FROM {SqlIdentifier.QuoteQualified(source.Schema, source.Table!)} AS t)";
    }

    /// <summary>Problems with a source's configuration, each naming the option.</summary>
    public static IEnumerable<string> Validate(SourceOptions source, string optionName, bool required)
    {
        if (!source.IsConfigured)
        {
            if (required)
            {
                yield return $"{optionName}: neither Table nor Sql is set; say where the rows live.";
            }

            yield break;
        }

        if (source.Table is not null && source.Sql is not null)
        {
            yield return $"{optionName}: both Table and Sql are set; set exactly one.";
            yield break;
        }

        if (source.ChangeTrackingTable is { } tracked && SqlIdentifier.Problem(tracked) is { } trackedProblem)
        {
            yield return $"{optionName}.ChangeTrackingTable {trackedProblem}.";
        }

        if (source.Sql is { } sql)
        {
            if (SqlText.Problem(sql) is { } sqlProblem)
            {
                yield return $"{optionName}.Sql {sqlProblem}.";
            }

            yield break;
        }

        if (source.Schema is not null && SqlIdentifier.Problem(source.Schema) is { } schemaProblem)
        {
            yield return $"{optionName}.Schema {schemaProblem}.";
        }

        if (SqlIdentifier.Problem(source.Table) is { } tableProblem)
        {
            yield return $"{optionName}.Table {tableProblem}.";
        }

        foreach (var (canonical, column) in source.ColumnMap())
        {
            if (SqlIdentifier.Problem(column) is { } columnProblem)
            {
                yield return $"{optionName} column for {canonical} {columnProblem}.";
            }
        }
    }
}
