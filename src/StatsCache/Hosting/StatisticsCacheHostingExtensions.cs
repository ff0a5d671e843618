using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StatsCache;
using StatsCache.Hosting;

// In the DI namespace, like the builder it extends, so a host needs no extra using.
// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

#pragma warning disable RS0026 // Two overloads with an optional configure callback: both shipped in 0.1.0 (only the options type moved namespace since).
/// <summary>Adds the opt-in hosted maintenance service to a statistics cache.</summary>
public static class StatisticsCacheHostingExtensions
{
    /// <summary>
    /// Runs the cache's maintenance in the host: <c>RefreshAsync</c> every <see cref="HostedMaintenanceOptions.RefreshInterval"/>
    /// (2 minutes), <c>CompressAsync</c> every <see cref="HostedMaintenanceOptions.CompressInterval"/> (1 hour) and
    /// <c>VerifyAsync(VerifyRequest.LastDay())</c> every <see cref="HostedMaintenanceOptions.VerifyInterval"/> (1 day),
    /// timed by the registered <see cref="TimeProvider"/>, one run at a time, after a random start delay of up to
    /// <see cref="HostedMaintenanceOptions.StartJitter"/>. A failed run is logged and shows in the health check;
    /// the next run tries again. The options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The cache's builder.</param>
    /// <param name="configure">Adjusts the schedule. When the cache's options were bound from configuration
    /// (<c>AddStatisticsCache(configuration.GetSection("StatsCache"))</c>), its <c>Maintenance</c> sub-section is bound first.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Calling it again only adds <paramref name="configure"/>: one service runs per container. It runs the
    /// default (unnamed) cache; a named cache (<c>AddStatisticsCache("name", …)</c>) is refused for now.</remarks>
    /// <exception cref="NotSupportedException">The builder is a named cache's.</exception>
    public static StatisticsCacheBuilder AddHostedMaintenance(this StatisticsCacheBuilder builder, Action<HostedMaintenanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Name is { } name)
        {
            // The loop drives the unnamed IStatisticsCache; silently maintaining another cache would be worse than refusing.
            throw new NotSupportedException(
                $"StatsCache: AddHostedMaintenance() runs the default cache only, not the named cache '{name}'. Schedule its maintenance yourself " +
                $"(a BackgroundService calling RefreshAsync/CompressAsync/VerifyAsync on [FromKeyedServices(\"{name}\")] IStatisticsCache; see docs/scheduling.md).");
        }

        var services = builder.Services;
        var options = services.AddOptions<HostedMaintenanceOptions>();
        if (!services.Any(d => d.ServiceType == typeof(HostedMaintenanceService)))
        {
            // Bind StatsCache:Maintenance when the cache's section is known; code (configure) runs after it.
            options.Configure<IServiceProvider>(static (o, sp) =>
                sp.GetService<StatisticsCacheConfigurationSection>()?.Section.GetSection(StatisticsCacheConfigurationSection.MaintenanceKey).Bind(o));
            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostedMaintenanceOptions>, HostedMaintenanceOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<HostedMaintenanceService>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<HostedMaintenanceService>());
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Runs the cache's maintenance in the host (see <see cref="AddHostedMaintenance(StatisticsCacheBuilder, Action{HostedMaintenanceOptions}?)"/>)
    /// with its schedule bound from <paramref name="configuration"/>, e.g. <c>builder.Configuration.GetSection("StatsCache:Maintenance")</c>
    /// (<c>"RefreshInterval": "00:02:00"</c>, <c>"VerifyInterval": null</c> to disable verifies).
    /// </summary>
    /// <param name="builder">The cache's builder.</param>
    /// <param name="configuration">The section holding <see cref="HostedMaintenanceOptions"/>.</param>
    /// <param name="configure">Runs after the binding.</param>
    /// <returns>The builder.</returns>
    public static StatisticsCacheBuilder AddHostedMaintenance(this StatisticsCacheBuilder builder, IConfiguration configuration, Action<HostedMaintenanceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddHostedMaintenance();
        builder.Services.AddOptions<HostedMaintenanceOptions>().Bind(configuration);
        return builder.AddHostedMaintenance(configure);
    }
}
#pragma warning restore RS0026
