using Npgsql;

namespace StatsCache.Internal;

/// <summary>
/// Where one cache's connections come from (<see cref="HostConnection.Of"/> chose it at start-up), and whether the
/// pool is ours: a data source the host gave us (its own, or its DbContext's) is the host's to dispose.
/// </summary>
internal sealed class CacheConnection(NpgsqlDataSource dataSource, bool owned) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public bool Owned { get; } = owned;

    public void Dispose()
    {
        if (Owned)
        {
            DataSource.Dispose();
        }
    }
}
