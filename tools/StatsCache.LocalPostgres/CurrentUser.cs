using System.Globalization;

namespace StatsCache.LocalPostgres;

/// <summary>Who we run as; PostgreSQL refuses to run as root.</summary>
public static class CurrentUser
{
    public static bool IsRoot { get; } = Environment.UserName == "root" || EffectiveUid() == 0;

    // geteuid() without P/Invoke: the second field of the Uid line is the effective uid.
    private static int? EffectiveUid()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line["Uid:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 1 ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
