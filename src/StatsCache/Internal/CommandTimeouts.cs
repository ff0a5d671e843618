namespace StatsCache.Internal;

/// <summary>
/// <see cref="StatisticsCacheOptions.CommandTimeout"/> as Npgsql's whole seconds. Set on every
/// maintenance command and batch: Npgsql's default (30 s) kills a first build or a long catch-up.
/// </summary>
internal static class CommandTimeouts
{
    public static int Seconds(StatisticsCacheOptions options) => (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
}
