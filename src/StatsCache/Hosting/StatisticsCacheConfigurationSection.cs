using Microsoft.Extensions.Configuration;

namespace StatsCache.Hosting;

/// <summary>
/// The section the cache's options were bound from (<c>AddStatisticsCache(configuration)</c>), so
/// <c>AddHostedMaintenance()</c> can bind its own options from the <c>Maintenance</c> sub-section.
/// </summary>
internal sealed class StatisticsCacheConfigurationSection(IConfiguration section)
{
    /// <summary>The sub-section of <see cref="HostedMaintenanceOptions"/>.</summary>
    public const string MaintenanceKey = "Maintenance";

    public IConfiguration Section { get; } = section;
}
