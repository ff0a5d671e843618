using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using StatsCache.Policy;

namespace StatsCache.Storage;

/// <summary>
/// A context whose model is the cache's tables and nothing else (<c>modelBuilder.UseStatisticsCache(schema)</c>),
/// the one description of our schema that both a host's migrations and <see cref="CacheTablesScript"/> read.
/// Never connects: it only generates DDL.
/// </summary>
internal sealed class CacheTablesContext(DbContextOptions<CacheTablesContext> options, string? schema, CacheKeys keys) : DbContext(options)
{
    private static readonly MethodInfo GenericUse = typeof(StatisticsCacheModelBuilderExtensions).GetMethods()
        .Single(m => m.Name == nameof(StatisticsCacheModelBuilderExtensions.UseStatisticsCache) && m.IsGenericMethodDefinition);

    public string? Schema => schema;

    public CacheKeys Keys => keys;

    public static CacheTablesContext For(string? schema, CacheKeys? keys = null) => new(
        new DbContextOptionsBuilder<CacheTablesContext>()
            .UseNpgsql()
            .ReplaceService<IModelCacheKeyFactory, SchemaModelCacheKeyFactory>()
            .Options,
        schema,
        keys ?? CacheKeys.Int64);

    /// <summary>
    /// The long-keyed entities of <c>UseStatisticsCache(schema)</c> when every kind is Int64 (the DDL a host's migration
    /// of it creates), else the closed generic entities of the resolved key types.
    /// </summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (keys == CacheKeys.Int64)
        {
            modelBuilder.UseStatisticsCache(schema);
            return;
        }

        GenericUse.MakeGenericMethod(CacheKeys.ClrType(keys.Team), CacheKeys.ClrType(keys.Experiment), CacheKeys.ClrType(keys.Session), CacheKeys.ClrType(keys.Participant))
            .Invoke(null, [modelBuilder, schema]);
    }

    /// <summary>One model per schema and key types (EF caches models per context type otherwise).</summary>
    private sealed class SchemaModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) =>
            (context.GetType(), ((CacheTablesContext)context).Schema, ((CacheTablesContext)context).Keys, designTime);
    }
}
