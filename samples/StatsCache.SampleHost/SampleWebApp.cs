using System.Net.Sockets;
using StatsCache.SampleHost.Pages;

namespace StatsCache.SampleHost;

/// <summary>
/// The sample's web app, built and ready to start: the pages, hosted maintenance, the traffic
/// simulator, and the database (the configured one, or the sample's own cluster) prepared and filled.
/// The browser tests host it in-process the same way <c>Program.cs</c> does.
/// </summary>
public sealed class SampleWebApp : IAsyncDisposable
{
    private SampleWebApp(WebApplication app, EmbeddedPostgres? embedded, string connectionString)
    {
        App = app;
        Embedded = embedded;
        ConnectionString = connectionString;
    }

    public WebApplication App { get; }

    /// <summary>The sample's own cluster, when no connection string is configured.</summary>
    public EmbeddedPostgres? Embedded { get; }

    public string ConnectionString { get; }

    /// <summary>The addresses it listens on (<c>Urls</c>).</summary>
    public string Urls { get; private init; } = "";

    /// <summary>
    /// Builds the app from <paramref name="args"/> (ASP.NET Core's usual configuration: appsettings.json,
    /// environment, <c>--Key=value</c>), connects, creates the schema and generates the data if the
    /// database is empty. Configuration the sample reads: <c>ConnectionStrings:Default</c>,
    /// <c>Sample:DataDirectory</c>, <c>Sample:Scale</c>, <c>Sample:Simulator</c>,
    /// <c>Sample:HostedMaintenance</c> (default true), <c>StatsCache:Maintenance</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No database could be reached or started.</exception>
    public static async Task<SampleWebApp> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        configure?.Invoke(builder);
        var urls = builder.Configuration["urls"] ?? "http://localhost:5000";
        EnsurePortsFree(urls);

        var (connectionString, embedded) = await SampleApp.ConnectAsync(builder.Configuration, Console.WriteLine, cancellationToken);
        try
        {
            var cache = builder.Services.AddSampleServices(connectionString, builder.Configuration);
            if (builder.Configuration.GetValue("Sample:HostedMaintenance", true))
            {
                // Refresh every 30 s, compress every hour, verify the last day hourly (StatsCache:Maintenance
                // in appsettings.json); the first refresh builds the cache. A failed run is logged and shows on /health.
                cache.AddHostedMaintenance(builder.Configuration.GetSection("StatsCache:Maintenance"));
            }

            if (builder.Configuration.GetValue("Sample:Simulator:Enabled", false))
            {
                builder.Services.AddHostedService<TrafficSimulatorService>();
            }

            builder.Services.AddHostedService<StatusSampler>();
            builder.Services.AddHealthChecks().AddStatisticsCache();

            var app = builder.Build();
            if (embedded is not null)
            {
                // Stopped once the host has stopped its hosted services (so a running refresh ends
                // cleanly rather than losing its server); ProcessExit and DisposeAsync cover the rest.
                app.Lifetime.ApplicationStopped.Register(embedded.Stop);
            }

            await SampleApp.PrepareDatabaseAsync(app.Services, app.Configuration, cancellationToken);
            app.MapSamplePages();
            return new SampleWebApp(app, embedded, connectionString) { Urls = urls };
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Runs until Ctrl+C; a port already in use is reported in a sentence, not a stack trace.</summary>
    public async Task<int> RunAsync()
    {
        try
        {
            await App.RunAsync();
            return 0;
        }
        catch (IOException e) when (e.InnerException is SocketException or Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync(InUse(Urls, e.Message));
            return 1;
        }
    }

    /// <summary>
    /// Fails early, in a sentence, when an address of <paramref name="urls"/> is taken (most often: the sample
    /// already runs), before a database is started or a hosted service runs.
    /// </summary>
    private static void EnsurePortsFree(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Port == 0
                || !System.Net.IPAddress.TryParse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host, out var address))
            {
                continue;
            }

            try
            {
                using var probe = new TcpListener(address, uri.Port);
                probe.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new InvalidOperationException(InUse(url, e.Message));
            }
        }
    }

    private static string InUse(string urls, string reason) =>
        $"Cannot listen on {urls}: {reason}. Is the sample already running? Use it (its commands act on the same database), stop it, or pass another address: --urls http://127.0.0.1:5081";

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
        }
    }
}
