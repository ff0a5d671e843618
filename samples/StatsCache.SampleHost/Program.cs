using StatsCache.SampleHost;
using StatsCache.SampleHost.Pages;

// `dotnet run --project samples/StatsCache.SampleHost` runs the web app (http://127.0.0.1:5080);
// `dotnet run --project samples/StatsCache.SampleHost -- refresh|compress|backfill|show ...` runs
// a management command and exits.
if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});

string connectionString;
EmbeddedPostgres? embedded;
try
{
    (connectionString, embedded) = await SampleApp.ConnectAsync(builder.Configuration);
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

await using (embedded)
{
    // Refresh every 2 minutes, compress every hour, verify the last day daily (StatsCache:Maintenance in
    // appsettings.json); the first refresh builds the cache. A failed run is logged and shows on /health.
    builder.Services.AddSampleServices(connectionString)
        .AddHostedMaintenance(builder.Configuration.GetSection("StatsCache:Maintenance"));
    builder.Services.AddHealthChecks().AddStatisticsCache();

    await using var app = builder.Build();
    if (embedded is not null)
    {
        // Stopped once the host has stopped its hosted services (so a running refresh ends
        // cleanly rather than losing its server); ProcessExit and the using cover the rest.
        app.Lifetime.ApplicationStopped.Register(embedded.Stop);
    }

    await SampleApp.PrepareDatabaseAsync(app.Services, app.Configuration);
    app.MapSamplePages();
    await app.RunAsync();
}

return 0;
