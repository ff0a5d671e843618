using System.Security.Cryptography;
using System.Text;

namespace StatsCache.Internal;

/// <summary>The advisory lock key that serialises one cache's maintenance across processes: its state table and name, hashed.</summary>
internal static class CacheLockKey
{
    public static long Of(string stateTable, string cacheName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("statscache:" + stateTable + ":" + cacheName));
        return BitConverter.ToInt64(hash, 0);
    }
}
