namespace StatsCache.Tests.GoldenSql;

/// <summary>One golden file: its path under <c>GoldenSql/</c> and its whole content.</summary>
internal sealed record GoldenFile(string RelativePath, string Content);

/// <summary>
/// Renders a <see cref="GoldenStatement"/> over every <see cref="GoldenSqlConfiguration"/> and keeps one
/// file per distinct text. A file is named by the statement plus the values of only those configuration
/// axes that change the statement's text (an axis that never changes it is left out of the name), so
/// <c>ReadSql/ExperimentTotals.sql</c> is one file for all twelve configurations while
/// <c>SessionTotalsSql/Upsert.mirror.versions-with-team.sql</c> is one of several.
/// </summary>
internal static class GoldenSqlRenderer
{
    public static IEnumerable<GoldenFile> Render(GoldenStatement statement)
    {
        var configurations = GoldenSqlConfiguration.All;
        var texts = configurations.ToDictionary(c => c, c => statement.Render(c) is { } text ? Normalize(text) : null);
        var axisCount = configurations[0].Axes.Count;

        // An axis matters when two configurations that differ only on it render differently.
        var relevant = Enumerable.Range(0, axisCount).Where(axis =>
            configurations.Any(a => configurations.Any(b =>
                a.Axes[axis].Value != b.Axes[axis].Value
                && Enumerable.Range(0, axisCount).All(other => other == axis || a.Axes[other].Value == b.Axes[other].Value)
                && texts[a] != texts[b]))).ToList();

        // Configurations equal on the relevant axes render the same text (each differing axis is irrelevant).
        foreach (var group in configurations.GroupBy(c => string.Join(".", relevant.Select(axis => c.Axes[axis].Value))))
        {
            var text = texts[group.First()];
            if (text is null)
            {
                continue; // the statement does not exist in these configurations (e.g. versions without a versions source)
            }

            var name = statement.Name + (group.Key.Length > 0 ? "." + group.Key : "") + ".sql";
            var covered = relevant.Count == 0
                ? "the same in every configuration"
                : "for " + string.Join(", ", relevant.Select(axis => $"{group.First().Axes[axis].Axis}={group.First().Axes[axis].Value}")) + " (the same whatever the other settings)";
            yield return new GoldenFile(name, $"-- {statement.Name}, {covered}. Written by GoldenSqlTests (STATSCACHE_UPDATE_GOLDEN=1): do not edit.\n{text}");
        }
    }

    /// <summary>The text the library sends, with a final newline added if it has none (so the file ends as a text file should).</summary>
    private static string Normalize(string text) => text.EndsWith('\n') ? text : text + "\n";
}
