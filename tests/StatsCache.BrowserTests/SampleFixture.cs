using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using StatsCache.SampleHost;

namespace StatsCache.BrowserTests;

/// <summary>
/// The sample host, started in-process on a free port against a test database, plus a headless
/// Chromium driven by Playwright. The database is a fresh one on the server of
/// <c>STATSCACHE_TEST_CONNECTION</c> when that is set, else the sample's own embedded PostgreSQL in a
/// temporary data directory. The hosted maintenance and the background simulator are off, so the
/// tests decide when traffic is written and when a refresh runs.
/// </summary>
public sealed class SampleFixture : IAsyncLifetime
{
    public const string ConnectionVariable = "STATSCACHE_TEST_CONNECTION";
    private const string Chromium = "/usr/bin/chromium";

    private string? _dataDirectory;
    private string? _createdDatabase;
    private string? _serverConnection;
    private SampleWebApp? _sample;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    public string ConnectionString { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public IServiceProvider Services => _sample!.App.Services;

    public IStatisticsCache Cache => Services.GetRequiredService<IStatisticsCache>();

    public TrafficSimulator Simulator => Services.GetRequiredService<TrafficSimulator>();

    /// <summary>The repository root (where StatsCache.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Where the screenshots go: artifacts/browser under the repository root.</summary>
    public static string ArtifactsDirectory { get; } = Path.Combine(RepositoryRoot, "artifacts", "browser");

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } server)
        {
            _serverConnection = server;
            _createdDatabase = "statscache_browser_" + Guid.NewGuid().ToString("N")[..12];
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _createdDatabase, Pooling = false }.ConnectionString;
        }
        else
        {
            RemoveAbandonedClusters();
            _dataDirectory = Path.Combine("/tmp", DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(_dataDirectory);
            await File.WriteAllTextAsync(Path.Combine(_dataDirectory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var embedded = await EmbeddedPostgres.StartOrAttachAsync(_dataDirectory);
            ConnectionString = embedded.ConnectionString;
            // This fixture owns the cluster: it stops and deletes it in DisposeAsync, or when the process exits
            // without disposing; a later run removes what a killed run left.
            var directory = _dataDirectory;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => EmbeddedPostgres.StopAndDelete(directory);
        }

        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _sample = await SampleWebApp.CreateAsync(
        [
            $"--urls={BaseUrl}",
            $"--ConnectionStrings:Default={ConnectionString}",
            "--Sample:HostedMaintenance=false",
            "--Sample:Simulator:Enabled=false",
            "--Sample:Scale=1",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _sample.App.StartAsync();
        // The first refresh builds the cache (as the hosted maintenance's first run would).
        await Cache.RefreshAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        });
        Directory.CreateDirectory(ArtifactsDirectory);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 }, BaseURL = BaseUrl });
        return await context.NewPageAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_sample is not null)
        {
            await _sample.App.StopAsync();
            await _sample.DisposeAsync();
        }

        if (_dataDirectory is not null)
        {
            EmbeddedPostgres.StopAndDelete(_dataDirectory);
        }

        if (_createdDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_serverConnection);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_createdDatabase} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private const string DirectoryPrefix = "statscache-browser-";
    private const string OwnerFile = "owner.pid";

    /// <summary>Stops and deletes the clusters of earlier runs whose process is gone (killed before it could clean up).</summary>
    private static void RemoveAbandonedClusters()
    {
        foreach (var directory in Directory.GetDirectories("/tmp", DirectoryPrefix + "*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            if (File.Exists(owner)
                && int.TryParse(File.ReadAllText(owner), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && !IsAlive(pid))
            {
                EmbeddedPostgres.StopAndDelete(directory);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StatsCache.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("StatsCache.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "xunit collection definitions are conventionally named *Collection.")]
public sealed class SampleCollection : ICollectionFixture<SampleFixture>
{
    public const string Name = "sample";
}
