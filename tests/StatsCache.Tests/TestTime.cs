namespace StatsCache.Tests;

/// <summary>Short-hands for UTC instants, so test data reads like the calendar it checks.</summary>
internal static class TestTime
{
    public static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, DateTimeKind.Utc);

    /// <summary>A random UTC instant in [<paramref name="min"/>, <paramref name="max"/>), to the second.</summary>
    public static DateTime Between(Random random, DateTime min, DateTime max) =>
        min.AddSeconds(random.NextInt64(0, (long)(max - min).TotalSeconds));
}
