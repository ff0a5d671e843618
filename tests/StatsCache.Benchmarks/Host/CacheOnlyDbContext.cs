using Microsoft.EntityFrameworkCore;

namespace StatsCache.Benchmarks.Host;

/// <summary>
/// A model holding only the cache's tables: its create script adds them to a database whose host
/// tables the generator made (what a host's migration would add).
/// </summary>
public sealed class CacheOnlyDbContext(DbContextOptions<CacheOnlyDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseStatisticsCache();
}
