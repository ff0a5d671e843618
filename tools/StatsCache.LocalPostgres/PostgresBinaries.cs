namespace StatsCache.LocalPostgres;

/// <summary>Finds the PostgreSQL server tools and runs them as a user the server accepts.</summary>
public static class PostgresBinaries
{
    private const string DebianFallback = "/usr/lib/postgresql/15/bin";

    /// <summary>A directory holding both initdb and pg_ctl, so the two always match in version.</summary>
    /// <exception cref="InvalidOperationException">No such directory.</exception>
    public static string LocateBinDirectory() =>
        TryLocateBinDirectory() ?? throw new InvalidOperationException(
            $"PostgreSQL's initdb and pg_ctl were not found on PATH or in {DebianFallback}. " +
            "Install the PostgreSQL server (apt-get install postgresql) or set STATSCACHE_TEST_CONNECTION.");

    /// <summary>As <see cref="LocateBinDirectory"/>, or null when the server binaries are not installed.</summary>
    public static string? TryLocateBinDirectory()
    {
        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

        // Debian keeps server tools off PATH unless linked; any installed major version will do.
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];

        foreach (var directory in pathDirectories.Append(DebianFallback).Concat(versioned))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        return null;
    }

    /// <summary>The command line that runs <paramref name="tool"/> as the postgres user when we are root.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) AsServerUser(string tool, params string[] arguments) =>
        CurrentUser.IsRoot
            ? ("runuser", ["-u", "postgres", "--", tool, .. arguments])
            : (tool, arguments);
}
