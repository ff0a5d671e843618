using System.Diagnostics;
using StatsCache.SampleHost;

namespace StatsCache.BrowserTests;

/// <summary>
/// The sample's management commands, run as the README runs them (a process of the sample's build
/// output), against the database the in-process sample is serving: what a command does shows up in
/// the running app.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class CommandTests(SampleFixture sample)
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("refersh")]
    public async Task AnUnknownCommandPrintsTheUsageAndFailsWithoutStartingTheWebApp(string command)
    {
        var result = await SampleProcess.RunAsync([command], sample.ConnectionString);
        result.ExitCode.Should().NotBe(0);
        result.Output.Should().Contain("Usage:").And.Contain("refresh").And.Contain("verify");
        result.Error.Should().Contain($"'{command}'");
        result.Output.Should().NotContain("Now listening");
    }

    [Fact]
    public async Task ASecondWebAppOnATakenPortSaysSoAndExits()
    {
        var result = await SampleProcess.RunAsync([$"--urls={sample.BaseUrl}"], sample.ConnectionString);
        result.ExitCode.Should().Be(1);
        result.Error.Should().Contain($"Cannot listen on {sample.BaseUrl}").And.Contain("Is the sample already running?");
        result.Output.Should().NotContain("Now listening").And.NotContain("   at ");
    }

    [Fact]
    public async Task HelpListsEveryCommand()
    {
        var result = await SampleProcess.RunAsync(["--help"], sample.ConnectionString);
        result.ExitCode.Should().Be(0);
        foreach (var command in new[] { "status", "refresh", "compress", "backfill", "reconcile", "verify", "show", "--connection", "--data-dir" })
        {
            result.Output.Should().Contain(command);
        }
    }

    [Fact]
    public async Task RefreshActsOnTheRunningSamplesDatabase()
    {
        await sample.Simulator.WriteAsync(sessions: 2, messages: 10, lateBy: null);
        var cachedBefore = await TotalMessagesAsync(ReadMode.Cached);
        var liveBefore = await TotalMessagesAsync(ReadMode.Live);
        liveBefore.Should().BeGreaterThan(cachedBefore, "the write is not refreshed yet");

        var result = await SampleProcess.RunAsync(["refresh"], sample.ConnectionString);
        result.ExitCode.Should().Be(0, result.Error);
        result.Output.Should().MatchRegex(@"refresh: \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, .*\) UTC, wrote [\d,]+ rows in [\d,]+ ms");

        // The app's cache now counts what the command refreshed.
        (await TotalMessagesAsync(ReadMode.Cached)).Should().Be(liveBefore);

        var status = await SampleProcess.RunAsync(["status", "--connection", sample.ConnectionString], connectionString: null);
        status.ExitCode.Should().Be(0, status.Error);
        status.Output.Should().Contain("watermark: ").And.Contain("session rows").And.Contain("refresh");
        status.Output.Should().NotContain("0000000Z", "timestamps are readable");
    }

    [Fact]
    public async Task VerifyShowAndBackfillReportWhatTheyDid()
    {
        var verify = await SampleProcess.RunAsync(["verify", "--no-repair"], sample.ConnectionString);
        verify.ExitCode.Should().Be(0, verify.Output + verify.Error);
        verify.Output.Should().Contain("verify: ").And.Contain("0 differed").And.Contain("clean");

        var show = await SampleProcess.RunAsync(["show", "1", "1"], sample.ConnectionString);
        show.ExitCode.Should().Be(0, show.Error);
        show.Output.Should().Contain("team 1, experiment 1: ").And.Contain("totals (Cached  )").And.Contain("totals (Live    )");

        var missing = await SampleProcess.RunAsync(["show", "1", "99999"], sample.ConnectionString);
        missing.ExitCode.Should().Be(2);
        missing.Error.Should().Contain("no experiment 99999");

        var from = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var backfill = await SampleProcess.RunAsync(["backfill", "--from", from], sample.ConnectionString);
        backfill.ExitCode.Should().Be(0, backfill.Error);
        backfill.Output.Should().Contain($"backfill from {from}").And.Contain("100 %").And.MatchRegex(@"backfill: \[.*\) UTC, \d+ chunks");

        var badDate = await SampleProcess.RunAsync(["backfill", "--from", "yesterday"], sample.ConnectionString);
        badDate.ExitCode.Should().NotBe(0);
        badDate.Error.Should().Contain("'yesterday' is not a date");
    }

    /// <summary>
    /// A message that arrives two hours late, behind the hour the refresh re-reads from, is missed by refresh: verify finds
    /// the range that differs (exit code 3 without repair) and repairs it, and the running app's cached
    /// numbers equal live again.
    /// </summary>
    [Fact]
    public async Task VerifyFindsAndRepairsWhatARefreshCannotSee()
    {
        await sample.Cache.RefreshAsync();
        try
        {
            var late = await sample.Simulator.WriteAsync(sessions: 0, messages: 0, lateBy: TimeSpan.FromHours(2));
            late.LateMessageAt.Should().NotBeNull();
            (await sample.Cache.RefreshAsync()).Skipped.Should().BeFalse();
            (await TotalMessagesAsync(ReadMode.Cached)).Should().Be(await TotalMessagesAsync(ReadMode.Live) - 1, "a refresh re-reads from the hour before its look-back (15 min) only");

            var report = await SampleProcess.RunAsync(["verify", "--no-repair"], sample.ConnectionString);
            report.ExitCode.Should().Be(3, report.Output + report.Error);
            report.Output.Should().Contain("1 differed").And.Contain("drift left").And.MatchRegex(@"Drift +Hour");

            var repair = await SampleProcess.RunAsync(["verify"], sample.ConnectionString);
            repair.ExitCode.Should().Be(0, repair.Output + repair.Error);
            repair.Output.Should().Contain("1 differed").And.Contain("clean");
            (await TotalMessagesAsync(ReadMode.Cached)).Should().Be(await TotalMessagesAsync(ReadMode.Live));
        }
        finally
        {
            // Whatever happened above, the next test starts from a cache that equals the source.
            await sample.Cache.VerifyAsync(new StatsCache.VerifyRequest { Repair = true });
        }
    }

    /// <summary>
    /// Without a connection string a command uses the sample's own PostgreSQL in its data directory:
    /// the first run creates it and fills it, the second finds the data where the first left it.
    /// </summary>
    [Fact]
    public async Task TheEmbeddedDatabaseIsKeptAcrossRuns()
    {
        var directory = Path.Combine("/tmp", "statscache-cmd-" + Guid.NewGuid().ToString("N")[..8]);
        if (!ServerBinariesInstalled())
        {
            // Only a server given by STATSCACHE_TEST_CONNECTION here: the command must say what is missing, in a sentence.
            var refused = await SampleProcess.RunAsync(["status", "--data-dir", directory], connectionString: null);
            refused.ExitCode.Should().Be(1);
            refused.Error.Should().Contain("server binaries (initdb, pg_ctl) were found neither on PATH");
            return;
        }

        try
        {
            var first = await SampleProcess.RunAsync(["refresh", "--data-dir", directory], connectionString: null, scale: "0.05");
            var second = await SampleProcess.RunAsync(["status", "--data-dir", directory], connectionString: null, scale: "0.05");
            first.ExitCode.Should().Be(0, first.Output + first.Error);
            first.Output.Should().Contain("Created the sample's PostgreSQL in").And.Contain("Generated sample data").And.Contain("refresh (initial build");
            second.ExitCode.Should().Be(0, second.Output + second.Error);
            second.Output.Should().Contain("with the data kept in").And.NotContain("Generated sample data").And.NotContain("never built");
        }
        finally
        {
            EmbeddedPostgres.StopAndDelete(directory);
        }
    }

    private static bool ServerBinariesInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "initdb")))
        || (Directory.Exists("/usr/lib/postgresql") && Directory.GetDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "initdb"))));

    /// <summary>All teams' human messages as the app's cache reads them in <paramref name="mode"/>.</summary>
    private async Task<long> TotalMessagesAsync(ReadMode mode)
    {
        long total = 0;
        foreach (var team in new long[] { 1, 2, 3 })
        {
            var ids = (await LiveSql.ChatbotsAsync(sample.ConnectionString, team)).Select(r => r.Id).ToList();
            total += (await sample.Cache.GetExperimentTotalsAsync(team, ids, mode)).Values.Sum(t => t.HumanMessageCount);
        }

        return total;
    }
}

/// <summary>The sample's build output run as a process: <c>dotnet StatsCache.SampleHost.dll …</c>.</summary>
public static class SampleProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>The sample built in the same configuration as these tests (the project reference builds it first).</summary>
    private static string Dll { get; } = Path.Combine(
        SampleFixture.RepositoryRoot, "samples", "StatsCache.SampleHost", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "StatsCache.SampleHost.dll");

    public static async Task<Result> RunAsync(IReadOnlyList<string> arguments, string? connectionString, string? scale = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the test says: no connection string unless given, whatever the environment holds.
        info.Environment["ConnectionStrings__Default"] = connectionString ?? "";
        info.Environment["Sample__DataDirectory"] = "";
        info.Environment.Remove("STATSCACHE_TEST_CONNECTION");
        if (scale is not null)
        {
            info.Environment["Sample__Scale"] = scale;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
