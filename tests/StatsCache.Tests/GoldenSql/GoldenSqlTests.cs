using System.Text;

namespace StatsCache.Tests.GoldenSql;

/// <summary>
/// Every statement the library builds (<see cref="GoldenStatements.Table"/>), rendered over a fixed matrix
/// of configurations, equals its committed file under <c>tests/StatsCache.Tests/GoldenSql/</c>: a reviewer
/// reads each statement whole, and every change to generated SQL shows in the diff.
/// After an intended change, regenerate the files and review their diff:
/// <c>STATSCACHE_UPDATE_GOLDEN=1 dotnet test tests/StatsCache.Tests --filter GoldenSql</c>.
/// </summary>
public class GoldenSqlTests
{
    private const string UpdateVariable = "STATSCACHE_UPDATE_GOLDEN";
    private const string UpdateCommand = "STATSCACHE_UPDATE_GOLDEN=1 dotnet test tests/StatsCache.Tests --filter GoldenSql";

    public static TheoryData<string> StatementNames()
    {
        var data = new TheoryData<string>();
        foreach (var statement in GoldenStatements.Table)
        {
            data.Add(statement.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatementNames))]
    public void EveryRenderingEqualsItsGoldenFile(string name)
    {
        var statement = GoldenStatements.Table.Single(s => s.Name == name);
        var files = GoldenSqlRenderer.Render(statement).ToList();
        Assert.NotEmpty(files);
        var failures = new List<string>();
        foreach (var file in files)
        {
            var path = PathOf(file.RelativePath);
            if (Updating)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (!File.Exists(path) || File.ReadAllText(path) != file.Content)
                {
                    File.WriteAllText(path, file.Content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                }

                continue;
            }

            if (!File.Exists(path))
            {
                failures.Add($"{file.RelativePath}: no golden file (a new statement or variant).");
                continue;
            }

            // A checkout with CRLF line ends (core.autocrlf on Windows) holds the same statement.
            if (Difference(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), file.Content) is { } difference)
            {
                failures.Add($"{file.RelativePath}: {difference}");
            }
        }

        Assert.True(failures.Count == 0, Report(failures));
    }

    /// <summary>No file is left for a statement or variant that is no longer rendered, and each file has one renderer.</summary>
    [Fact]
    public void EveryGoldenFileIsStillRendered()
    {
        var names = GoldenStatements.Table.Select(s => s.Name).ToList();
        Assert.True(names.Count == names.Distinct(StringComparer.Ordinal).Count(), "Two rows of GoldenStatements.Table share a name.");

        var expected = GoldenStatements.Table.SelectMany(GoldenSqlRenderer.Render).Select(f => f.RelativePath).ToHashSet(StringComparer.Ordinal);
        var duplicates = GoldenStatements.Table.SelectMany(GoldenSqlRenderer.Render).GroupBy(f => f.RelativePath).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "Two statements render to the same file: " + string.Join(", ", duplicates));

        var stale = Directory.EnumerateFiles(GoldenDirectory, "*.sql", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(GoldenDirectory, p).Replace('\\', '/'))
            .Where(p => !expected.Contains(p))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (Updating)
        {
            foreach (var file in stale)
            {
                File.Delete(PathOf(file));
            }

            return;
        }

        Assert.True(stale.Count == 0, Report(stale.Select(f => $"{f}: no statement renders this file any more.").ToList()));
    }

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) is "1" or "true";

    /// <summary>The source folder of the golden files (tests/StatsCache.Tests/GoldenSql), found above the test binaries.</summary>
    private static string GoldenDirectory { get; } = FindGoldenDirectory();

    private static string PathOf(string relativePath) => Path.Combine(GoldenDirectory, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static string FindGoldenDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StatsCache.Tests.csproj")))
            {
                return Path.Combine(directory.FullName, "GoldenSql");
            }
        }

        throw new InvalidOperationException($"StatsCache.Tests.csproj not found above {AppContext.BaseDirectory}: the golden SQL test runs from the repository's build output.");
    }

    /// <summary>Where two texts first differ, with both lines; null when they are equal.</summary>
    private static string? Difference(string committed, string rendered)
    {
        if (committed == rendered)
        {
            return null;
        }

        var a = committed.Split('\n');
        var b = rendered.Split('\n');
        var line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
        {
            line++;
        }

        string At(string[] lines) => line < lines.Length ? lines[line] : "<end of file>";
        return $"differs from line {line + 1}:\n    committed: {At(a)}\n    rendered:  {At(b)}";
    }

    private static string Report(List<string> failures) =>
        failures.Count == 0
            ? ""
            : $"The SQL the library renders differs from the golden files in tests/StatsCache.Tests/GoldenSql:\n{string.Join("\n", failures)}\n" +
              $"If the change is intended, regenerate them and review the diff (git diff tests/StatsCache.Tests/GoldenSql):\n    {UpdateCommand}";
}
