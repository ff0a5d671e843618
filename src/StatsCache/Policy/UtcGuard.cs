namespace StatsCache.Policy;

/// <summary>
/// Rejects non-UTC <see cref="DateTime"/> values at the door. Npgsql sends a
/// <see cref="DateTimeKind.Unspecified"/> or <see cref="DateTimeKind.Local"/> parameter as
/// <c>timestamp without time zone</c> without complaint, and PostgreSQL then compares it through
/// the session time zone: a silent shift of hours. We refuse instead.
/// </summary>
internal static class UtcGuard
{
    public static void Require(DateTime value, string parameterName)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException(
                $"'{parameterName}' must be a UTC DateTime (Kind=Utc); got Kind={value.Kind} ({value:O}). " +
                "Convert it with ToUniversalTime() or create it with DateTimeKind.Utc.",
                parameterName);
        }
    }

    public static void Require(DateTime? value, string parameterName)
    {
        if (value is { } v)
        {
            Require(v, parameterName);
        }
    }
}
