using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Npgsql;
using StatsCache.IntegrationTests.Host;
using StatsCache.IntegrationTests.Infrastructure;

namespace StatsCache.IntegrationTests.Consumer;

/// <summary>
/// The consumer's experience, end to end: the library is packed, a fresh app is created from the SDK's
/// <c>web</c> template in a temp folder and references the package from a local folder feed at its dependency
/// floors (EF Core and the Npgsql provider pinned at 10.0.0), wired with the package README's snippet. The app
/// creates its tables and rows, backfills, and prints a page of totals and a page sorted by last activity,
/// which must equal the live SQL over its tables.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class PackageConsumerTests(PostgresServer server) : IDisposable
{
    /// <summary>The versions the package depends on, and the consumer app pins: what a host on 10.0.0 restores with.</summary>
    private const string Floor = "10.0.0";

    private const string JsonMarker = "STATSCACHE-JSON ";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "statscache-consumer-" + Guid.NewGuid().ToString("N")[..12]);
    private string? _packOutputs;
    private readonly string _version = "0.1.0-consumer." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task AFreshAppOnThePackageAtItsFloorsReadsTheLiveNumbers()
    {
        var repository = FindRepositoryRoot();
        var feed = Path.Combine(_root, "feed");
        var appDirectory = Path.Combine(_root, "app");
        Directory.CreateDirectory(_root);
        // Nothing above the temp folder may leak build settings into the app.
        await File.WriteAllTextAsync(Path.Combine(_root, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_root, "Directory.Build.targets"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(_root, "Directory.Packages.props"), "<Project />");
        var noEnvironment = new Dictionary<string, string>();

        // 1. Pack, as CI would (deterministic), into the feed. Its outputs stay apart from the solution's own
        // build, inside the repository (artifacts/ is ignored) so the path map covers them too.
        _packOutputs = Path.Combine(repository, "artifacts", "consumer-test", Path.GetFileName(_root));
        var pack = await DotnetCli.RunAsync(repository, noEnvironment, StepTimeout,
            "pack", Path.Combine(repository, "src", "StatsCache", "StatsCache.csproj"), "-c", "Release", "-o", feed,
            $"-p:Version={_version}", "-p:ContinuousIntegrationBuild=true",
            $"-p:BaseOutputPath={Path.Combine(_packOutputs, "bin")}/",
            $"-p:IntermediateOutputPath={Path.Combine(_packOutputs, "obj")}/");
        pack.Succeeded.Should().BeTrue(pack.Describe());
        pack.StandardOutput.Should().NotMatchRegex(@"(?i)\bwarning\b", "the package builds without warnings: " + pack.Describe());
        File.Exists(Path.Combine(feed, $"StatsCache.{_version}.snupkg")).Should().BeTrue("a symbols package is produced");
        CheckPackage(Path.Combine(feed, $"StatsCache.{_version}.nupkg"), repository);

        // 2. A fresh app from the SDK's own template (offline), on the local feed plus the machine's sources.
        var create = await DotnetCli.RunAsync(_root, noEnvironment, StepTimeout, "new", "web", "-n", "ConsumerApp", "-o", appDirectory, "--no-update-check");
        create.Succeeded.Should().BeTrue(create.Describe());
        await File.WriteAllTextAsync(Path.Combine(appDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="statscache-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var project = Path.Combine(appDirectory, "ConsumerApp.csproj");
        var csproj = await File.ReadAllTextAsync(project);
        await File.WriteAllTextAsync(project, csproj.Replace("</Project>", $"""
              <ItemGroup>
                <PackageReference Include="StatsCache" Version="{_version}" />
                <PackageReference Include="Microsoft.EntityFrameworkCore.Relational" Version="{Floor}" />
                <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="{Floor}" />
              </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));

        // 3. The README's wiring, verbatim, in a small Program.cs.
        var snippet = ReadmeSnippet(await File.ReadAllTextAsync(Path.Combine(repository, "src", "StatsCache", "PACKAGE.md")));
        snippet.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.Should().BeLessThanOrEqualTo(15, "the README's wiring is at most 15 lines");
        var sources = Path.Combine(repository, "tests", "StatsCache.IntegrationTests", "Consumer", "App");
        var program = await File.ReadAllTextAsync(Path.Combine(sources, "Program.cs.txt"));
        program.Should().Contain("// README SNIPPET");
        await File.WriteAllTextAsync(Path.Combine(appDirectory, "Program.cs"), program.Replace("// README SNIPPET", snippet, StringComparison.Ordinal));
        File.Copy(Path.Combine(sources, "AppDbContext.cs.txt"), Path.Combine(appDirectory, "AppDbContext.cs"));

        // 4. Build (restore at the floors) and run it against a fresh database.
        var build = await DotnetCli.RunAsync(appDirectory, noEnvironment, StepTimeout, "build", "-c", "Release");
        build.Succeeded.Should().BeTrue(build.Describe());
        var assets = await File.ReadAllTextAsync(Path.Combine(appDirectory, "obj", "project.assets.json"));
        assets.Should().Contain($"\"Microsoft.EntityFrameworkCore.Relational/{Floor}\"").And.Contain($"\"Npgsql.EntityFrameworkCore.PostgreSQL/{Floor}\"")
            .And.Contain($"\"StatsCache/{_version}\"");

        var connectionString = await server.CreateDatabaseAsync();
        var run = await DotnetCli.RunAsync(appDirectory, new Dictionary<string, string> { ["ConnectionStrings__App"] = connectionString }, StepTimeout,
            "run", "-c", "Release", "--no-build", "--no-launch-profile");
        run.Succeeded.Should().BeTrue(run.Describe());
        var line = run.StandardOutput.Split('\n').SingleOrDefault(l => l.StartsWith(JsonMarker, StringComparison.Ordinal));
        line.Should().NotBeNull(run.Describe());
        var printed = JsonSerializer.Deserialize<AppOutput>(line![JsonMarker.Length..])!;

        // 5. The same page from live SQL over the app's tables.
        await using var db = NpgsqlDataSource.Create(connectionString);
        var live = await new LiveStatistics(db).ExperimentsAsync(1, new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        long[] page = [10, 11, 12, 13, 14, 20];
        var expectedTotals = page.Select(id => live.GetValueOrDefault(id) ?? new ExperimentStats { SessionCount = 0, ParticipantCount = 0, HumanMessageCount = 0, LastActivity = null }).ToList();
        live.Values.Sum(t => t.HumanMessageCount).Should().BePositive("the app's rows must give something to compare");
        // Member by member, in order: the records' Measures dictionary (empty here) compares by reference under Equals.
        printed.Totals.Should().BeEquivalentTo(expectedTotals, o => o.WithStrictOrdering());

        var teamExperiments = new List<long>();
        await using (var command = db.CreateCommand("SELECT id FROM experiments WHERE team_id = 1"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                teamExperiments.Add(reader.GetInt64(0));
            }
        }

        var expectedByActivity = teamExperiments
            .Select(id => (Id: id, Stats: live.GetValueOrDefault(id) ?? ExperimentStats.Empty))
            .OrderByDescending(t => t.Stats.LastActivity ?? DateTime.MinValue).ThenBy(t => t.Id)
            .Take(4)
            .Select(t => new PagedExperiment(t.Id, t.Stats.SessionCount, t.Stats.ParticipantCount, t.Stats.HumanMessageCount, t.Stats.LastActivity))
            .ToList();
        printed.ByActivity.Should().Equal(expectedByActivity);
    }

    public void Dispose()
    {
        TryDelete(_root);
        if (_packOutputs is not null)
        {
            TryDelete(_packOutputs);
        }

        // Only the package this test made: the machine's global packages folder is otherwise left alone.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(packages, "statscache", _version));
    }

    /// <summary>Floors in the nuspec, the package README, and no path of the build machine in the DLL.</summary>
    private static void CheckPackage(string nupkg, string repository)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        XDocument nuspec;
        using (var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open())
        {
            nuspec = XDocument.Load(stream);
        }

        var ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        metadata.Element(ns + "readme")?.Value.Should().Be("PACKAGE.md");
        zip.GetEntry("PACKAGE.md").Should().NotBeNull();
        var dependencies = metadata.Descendants(ns + "dependency").ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!);
        dependencies.Should().ContainKeys("Microsoft.EntityFrameworkCore.Relational", "Npgsql.EntityFrameworkCore.PostgreSQL");
        dependencies.Should().AllSatisfy(d => d.Value.Should().Be(Floor, $"{d.Key} is a dependency floor"));

        using var dll = new MemoryStream();
        using (var stream = zip.GetEntry("lib/net10.0/StatsCache.dll")!.Open())
        {
            stream.CopyTo(dll);
        }

        var bytes = dll.ToArray();
        var root = repository.TrimEnd('/');
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(root)).Should().Be(-1, $"the DLL embeds no path under {root}");
        bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("/_/artifacts/consumer-test/")).Should().BePositive("the PDB path is mapped to /_/");
    }

    /// <summary>The first C# block of the package README: the wiring a package user copies.</summary>
    private static string ReadmeSnippet(string readme)
    {
        var match = CSharpBlock().Match(readme.ReplaceLineEndings("\n"));
        match.Success.Should().BeTrue("the package README shows its wiring in a ```csharp block");
        return match.Groups[1].Value;
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

        throw new InvalidOperationException($"No StatsCache.sln above {AppContext.BaseDirectory}.");
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    private sealed record AppOutput(List<ExperimentStats> Totals, List<PagedExperiment> ByActivity);

    /// <summary>A row of the app's page: its experiment id and the statistics joined to it.</summary>
    private sealed record PagedExperiment(long ExperimentId, long SessionCount, long ParticipantCount, long HumanMessageCount, DateTime? LastActivity);
}
