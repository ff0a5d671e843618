using System.Security.Cryptography;
using System.Text;
using StatsCache.Sources;

namespace StatsCache.ChangeTracking;

/// <summary>
/// Names of the change-tracking triggers and functions of one cache. PostgreSQL truncates identifiers
/// to 63 bytes, so two long cache names with a common prefix used to get the same names (the second
/// install replaced the first cache's triggers). Every name is now a readable prefix of the cache name
/// plus a hash of the whole name, and fits in 63 bytes for every cache name the options accept.
/// </summary>
internal static class ChangeTrackingNames
{
    /// <summary>PostgreSQL's identifier limit (NAMEDATALEN − 1), in bytes.</summary>
    public const int MaxBytes = 63;

    // "statscache_track_" (17) + prefix + "_" + hash (10) + "_" + role (≤ 13) = 42 + prefix ≤ 63.
    // Triggers: "statscache_" (11) + prefix + "_" + hash + "_" + role + "_" + operation (6) = 43 + prefix ≤ 63.
    private const int PrefixLength = 20;

    /// <summary>The operations a trigger fires on.</summary>
    public static readonly string[] Operations = ["insert", "update", "delete"];

    /// <summary>The trigger function of one cache and source (unquoted).</summary>
    public static string Function(string cacheName, SourceRole role) => $"statscache_track_{Stem(cacheName)}_{Role(role)}";

    /// <summary>The trigger of one cache, source and operation (unquoted).</summary>
    public static string Trigger(string cacheName, SourceRole role, string operation) => $"statscache_{Stem(cacheName)}_{Role(role)}_{operation}";

    /// <summary>The function name of versions before names were hashed, as PostgreSQL stored it (truncated).</summary>
    public static string LegacyFunction(string cacheName, SourceRole role) => Truncate($"statscache_track_{cacheName}_{Role(role)}");

    /// <summary>The trigger name of versions before names were hashed, as PostgreSQL stored it (truncated).</summary>
    public static string LegacyTrigger(string cacheName, SourceRole role, string operation) => Truncate($"statscache_{cacheName}_{Role(role)}_{operation}");

    /// <summary>Every role a cache may have put triggers for, whatever the options say today.</summary>
    public static IEnumerable<SourceRole> Roles => [SourceRole.Sessions, SourceRole.HumanMessages, SourceRole.Versions]; // the tracked ones: not measures' sources

    private static string Role(SourceRole role) => role.ToString().ToLowerInvariant();

    private static string Stem(string cacheName)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cacheName)))[..10];
        var prefix = cacheName.Length <= PrefixLength ? cacheName : cacheName[..PrefixLength];
        return $"{prefix}_{hash}";
    }

    // Identifiers are plain ASCII (SqlIdentifier), so characters are bytes.
    private static string Truncate(string name) => name.Length <= MaxBytes ? name : name[..MaxBytes];

    /// <summary>The name quoted (it is built from a validated identifier, so quoting cannot fail).</summary>
    public static string Quote(string name) => SqlIdentifier.Quote(name);
}
