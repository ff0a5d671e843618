using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace StatsCache.Internal;

/// <summary>
/// Where the cache's connections come from, in this order: <see cref="StatisticsCacheOptions.DataSource"/>;
/// <see cref="StatisticsCacheOptions.ConnectionString"/>; the data source the bound DbContext uses
/// (<c>UseNpgsql(dataSource)</c>, a data source registered in DI, or the one Npgsql's EF provider built
/// for it); the DbContext's connection string. A data source handed to <c>UseNpgsql</c> keeps its
/// password (and password provider, certificates, plugins) to itself — its connection string does not
/// carry the password —, so re-reading the string and building a pool of our own fails with
/// "No password has been provided". Only a data source built here is ours to dispose.
/// </summary>
internal static class HostConnection
{
    public static CacheConnection Of(StatisticsCacheOptions options, DbContext? context)
    {
        if (options.DataSource is { } given)
        {
            return new(given, owned: false);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new(NpgsqlDataSource.Create(options.ConnectionString), owned: true);
        }

        if (context is null)
        {
            throw new InvalidOperationException("StatsCache: neither StatisticsCacheOptions.DataSource nor ConnectionString is set, and no DbContext is bound (UseDbContext<TContext>()).");
        }

        if (DataSourceOf(context) is { } hosts)
        {
            return new(hosts, owned: false);
        }

        var connectionString = context.Database.GetConnectionString()
            ?? throw new InvalidOperationException(
                $"StatsCache: {context.GetType().Name} has neither a data source nor a connection string; set StatisticsCacheOptions.DataSource or ConnectionString.");
        return new(NpgsqlDataSource.Create(connectionString), owned: true);
    }

    /// <summary>The data source Npgsql's EF provider opens this context's connections from, if it uses one.</summary>
    private static NpgsqlDataSource? DataSourceOf(DbContext context)
    {
#pragma warning disable EF1001 // The provider exposes the data source it resolved only on its (internal) connection type.
        return context.GetService<IRelationalConnection>() is Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal.NpgsqlRelationalConnection { DataSource: NpgsqlDataSource dataSource }
            ? dataSource
            : null;
#pragma warning restore EF1001
    }
}
