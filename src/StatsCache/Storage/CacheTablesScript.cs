using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using StatsCache.Sources;

namespace StatsCache.Storage;

/// <summary>
/// The idempotent DDL of the cache's tables and indexes, generated from the library's own EF model
/// (<see cref="CacheTablesContext"/>) exactly as a migration of <c>UseStatisticsCache(schema)</c> would create them,
/// then made re-runnable: <c>CREATE SCHEMA / TABLE / INDEX … IF NOT EXISTS</c>. A cache built before the
/// totals table existed gets it from running the script again; the next maintenance call fills it.
/// </summary>
internal static class CacheTablesScript
{
    /// <exception cref="InvalidOperationException">The model produced an operation this script cannot make idempotent (a library bug, caught by the tests).</exception>
    /// <param name="schema">The schema of the tables; null is the search path.</param>
    /// <param name="keys">The key types the id columns are stored in; null is every kind Int64 (bigint).</param>
    public static string Generate(string? schema, Policy.CacheKeys? keys = null)
    {
        using var context = CacheTablesContext.For(schema, keys);
        var model = context.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
        var operations = context.GetService<IMigrationsModelDiffer>().GetDifferences(null, model.GetRelationalModel());
        var generator = context.GetService<IMigrationsSqlGenerator>();
        var script = new StringBuilder();
        script.Append("-- StatsCache tables").Append(schema is null ? "" : " in schema " + schema).AppendLine(": idempotent, safe to run again (existing tables and rows are kept).");
        foreach (var operation in operations)
        {
            if (operation is EnsureSchemaOperation ensureSchema)
            {
                script.Append("CREATE SCHEMA IF NOT EXISTS ").Append(SqlIdentifier.Quote(ensureSchema.Name)).AppendLine(";").AppendLine();
                continue;
            }

            var (statement, idempotent) = operation switch
            {
                CreateTableOperation => ("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS "),
                CreateIndexOperation { IsUnique: true } => ("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS "),
                CreateIndexOperation => ("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS "),
                _ => throw new InvalidOperationException($"StatsCache: cannot make a {operation.GetType().Name} idempotent for the tables script."),
            };
            foreach (var command in generator.Generate([operation], model))
            {
                var text = command.CommandText.Trim();
                if (!text.StartsWith(statement, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"StatsCache: expected the {operation.GetType().Name} to start with '{statement}', got: {text}");
                }

                script.Append(idempotent).AppendLine(text[statement.Length..]).AppendLine();
            }
        }

        return script.ToString();
    }
}
