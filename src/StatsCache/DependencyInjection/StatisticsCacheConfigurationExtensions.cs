using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StatsCache;
using StatsCache.Hosting;

// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the statistics cache with its options read from configuration (e.g. <c>appsettings.json</c>).</summary>
public static class StatisticsCacheConfigurationExtensions
{
    /// <summary>
    /// Registers <see cref="IStatisticsCache"/> like <see cref="StatisticsCacheServiceCollectionExtensions.AddStatisticsCache(IServiceCollection, Action{StatisticsCacheOptions})"/>,
    /// with <see cref="StatisticsCacheOptions"/> bound from <paramref name="configuration"/>, typically
    /// <c>builder.Configuration.GetSection("StatsCache")</c>: keys are the option names (<c>LookBack</c>,
    /// <c>Sessions:Table</c>, <c>HumanMessages:Sql</c>, …), time spans are written <c>"00:15:00"</c> (or <c>"1.00:00:00"</c> for a day),
    /// enums by name (<c>"Mirror"</c>). The bound options are validated when the host starts, exactly as code-set ones.
    /// A <c>Maintenance</c> sub-section configures <see cref="StatisticsCacheHostingExtensions.AddHostedMaintenance(StatisticsCacheBuilder, Action{HostedMaintenanceOptions}?)"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>A builder to bind a DbContext or map sources to entity types.</returns>
    /// <remarks>
    /// A key that names no option (<c>StatsCache:LookBak</c>) stops start-up too, instead of being ignored.
    /// A value the binder cannot convert (an unknown enum name, a malformed time span) stops start-up with an
    /// <see cref="InvalidOperationException"/> naming its configuration path, e.g. <c>StatsCache:Deletions</c>.
    /// </remarks>
    public static StatisticsCacheBuilder AddStatisticsCache(this IServiceCollection services, IConfiguration configuration) =>
        services.AddStatisticsCache(configuration, static _ => { });

    /// <summary>
    /// Registers <see cref="IStatisticsCache"/> with <see cref="StatisticsCacheOptions"/> bound from
    /// <paramref name="configuration"/>, then adjusted by <paramref name="configure"/>: settings that only code can
    /// give (<see cref="StatisticsCacheOptions.DataSource"/>) or that should win over configuration.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The configuration section holding the options, e.g. <c>builder.Configuration.GetSection("StatsCache")</c>.</param>
    /// <param name="configure">Runs after the binding.</param>
    /// <returns>A builder to bind a DbContext or map sources to entity types.</returns>
    public static StatisticsCacheBuilder AddStatisticsCache(this IServiceCollection services, IConfiguration configuration, Action<StatisticsCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(configure);

        // The code-only registration does the rest (validators, ValidateOnStart, services); the binding
        // runs before configure, so code wins over configuration.
        var builder = services.AddStatisticsCache(static _ => { });
        services.AddOptions<StatisticsCacheOptions>().Bind(configuration);
        services.Configure(configure);
        services.TryAddSingleton(new StatisticsCacheConfigurationSection(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StatisticsCacheOptions>, ConfigurationKeysValidator>());
        return builder;
    }
}
