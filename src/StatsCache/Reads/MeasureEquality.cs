namespace StatsCache.Reads;

/// <summary>
/// Content equality of the results' <c>Measures</c> dictionaries (and of a session's versions): records compare collection
/// properties by reference, so two equal results read twice would differ, and <c>stats == ExperimentStats.Empty</c> would
/// be false for an id with nothing recorded once measures are declared.
/// </summary>
internal static class MeasureEquality
{
    public static bool Equal(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        ReferenceEquals(a, b) || (a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && v == e.Value));

    /// <summary>Order-independent, consistent with <see cref="Equal"/>.</summary>
    public static int Hash(IReadOnlyDictionary<string, long> measures)
    {
        var hash = 0;
        foreach (var (name, value) in measures)
        {
            hash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(name), value);
        }

        return hash;
    }

    public static int Hash(IReadOnlyList<string> versions)
    {
        var hash = new HashCode();
        foreach (var version in versions)
        {
            hash.Add(version, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
