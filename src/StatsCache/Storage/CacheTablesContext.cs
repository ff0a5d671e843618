using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace StatsCache.Storage;

/// <summary>
/// A context whose model is the cache's tables and nothing else (<c>modelBuilder.UseStatisticsCache(schema)</c>),
/// the one description of our schema that both a host's migrations and <see cref="CacheTablesScript"/> read.
/// Never connects: it only generates DDL.
/// </summary>
internal sealed class CacheTablesContext(DbContextOptions<CacheTablesContext> options, string? schema) : DbContext(options)
{
    public string? Schema => schema;

    public static CacheTablesContext For(string? schema) => new(
        new DbContextOptionsBuilder<CacheTablesContext>()
            .UseNpgsql()
            .ReplaceService<IModelCacheKeyFactory, SchemaModelCacheKeyFactory>()
            .Options,
        schema);

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache(schema);

    /// <summary>One model per schema (EF caches models per context type otherwise).</summary>
    private sealed class SchemaModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), ((CacheTablesContext)context).Schema, designTime);
    }
}
