using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace StatsCache;

/// <summary>
/// The zone whose local midnights start day buckets and whose local first-of-month midnights start
/// month buckets (<see cref="StatisticsCacheOptions.TimeZone"/>). Hour buckets stay UTC hours in every zone.
/// </summary>
/// <remarks>
/// <para>
/// Day buckets are made by rolling hourly buckets up, so every local midnight must be the start of a
/// UTC hour: zones whose UTC offset is not a whole number of hours (Asia/Kolkata +5:30, Asia/Kathmandu
/// +5:45, Australia/Adelaide +9:30, …) are refused, because their days would start inside an hourly
/// bucket that cannot be split.
/// </para>
/// <para>
/// The arithmetic here mirrors PostgreSQL's <c>date_trunc(unit, ts, zone)</c> exactly, including how
/// it reads a local midnight that falls into a DST change: a midnight skipped by a spring-forward gap
/// is read with the offset before the change, so a day that begins with the gap (America/Santiago,
/// Asia/Beirut, Africa/Cairo, …) starts at the change. A midnight that occurs twice (a fall-back from
/// 01:00 to 00:00, as in America/Havana) would be read as its later occurrence, leaving the first local
/// hour of that day before its own bucket's start: such zones are refused. Both rules are checked over
/// <see cref="CheckedFrom"/> to <see cref="CheckedUntil"/>, the years a cache can realistically cover.
/// </para>
/// </remarks>
public sealed partial class ReportingTimeZone
{
    private static readonly ConcurrentDictionary<string, string?> Problems = new(StringComparer.Ordinal);
    private readonly TimeZoneInfo? _zone;

    private ReportingTimeZone(string id, TimeZoneInfo? zone)
    {
        Id = id;
        _zone = zone;
    }

    /// <summary>The default: days and months are UTC days and months.</summary>
    public static ReportingTimeZone Utc { get; } = new("UTC", null);

    /// <summary>Start of the years whose offsets and DST changes are checked (2000-01-01, UTC): several European zones turned their clocks back across midnight in the 1970s, and chat data that old does not exist; a backfill of older data in a zone other than UTC is refused.</summary>
    public static DateTime CheckedFrom { get; } = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>End of the years whose offsets and DST changes are checked (2100-01-01, UTC).</summary>
    public static DateTime CheckedUntil { get; } = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The IANA id, as stored in the cache's state row and passed to PostgreSQL.</summary>
    public string Id { get; }

    /// <summary>Whether days and months are plain UTC ones.</summary>
    public bool IsUtc => _zone is null;

    /// <summary>The id as a PostgreSQL string literal (the id is validated to IANA characters; quotes are doubled anyway).</summary>
    internal string SqlLiteral => "'" + Id.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The zone of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">The id is unknown, not an IANA id, or a refused zone (see <see cref="Problem"/>).</exception>
    public static ReportingTimeZone FromId(string id)
    {
        if (Problem(id) is { } problem)
        {
            throw new ArgumentException($"Time zone '{id}' {problem}.", nameof(id));
        }

        return IsUtcAlias(id) ? Utc : new ReportingTimeZone(id, TimeZoneInfo.FindSystemTimeZoneById(id));
    }

    /// <summary>
    /// Whether <paramref name="id"/> names UTC itself under another spelling (<c>Etc/UTC</c>, <c>utc</c>,
    /// <c>Zulu</c>, <c>Etc/Universal</c>, <c>GMT</c>, …; case-insensitive). Such a cache is a UTC cache, stored
    /// and compared as <c>UTC</c>: it runs on a cache built as <c>UTC</c>, and is never refused or limited the
    /// way zones with offsets are.
    /// </summary>
    public static bool IsUtcAlias(string? id) => id is not null && UtcAliases.Contains(id.Trim());

    /// <summary>The tzdata links to UTC (and the zero-offset GMT names, which have no DST in tzdata).</summary>
    private static readonly HashSet<string> UtcAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
        "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
    };

    /// <summary>Why <paramref name="id"/> cannot be a reporting time zone, or null when it can. Cached per id.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "is empty; use an IANA time zone id such as 'UTC' or 'Europe/Berlin'";
        }

        if (IsUtcAlias(id))
        {
            return null;
        }

        return Problems.GetOrAdd(id, Check);
    }

    /// <summary>The start of the bucket of <paramref name="size"/> containing <paramref name="utc"/>.</summary>
    internal DateTime Floor(DateTime utc, BucketSize size)
    {
        var local = ToLocal(utc);
        return size switch
        {
            BucketSize.Day => FromLocal(local.Date),
            BucketSize.Month => FromLocal(new DateTime(local.Year, local.Month, 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Only day and month buckets follow the reporting time zone."),
        };
    }

    /// <summary>
    /// The exclusive end of the bucket starting at <paramref name="start"/>: the next local midnight
    /// (or first of month). Computed from the start's local date, not start + 1 day, because a day
    /// that begins with a DST gap starts at 01:00 local.
    /// </summary>
    internal DateTime End(DateTime start, BucketSize size)
    {
        var day = ToLocal(start).Date;
        return size switch
        {
            BucketSize.Day => FromLocal(day.AddDays(1)),
            BucketSize.Month => FromLocal(new DateTime(day.Year, day.Month, 1).AddMonths(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Only day and month buckets follow the reporting time zone."),
        };
    }

    private DateTime ToLocal(DateTime utc) => DateTime.SpecifyKind(utc + _zone!.GetUtcOffset(utc), DateTimeKind.Unspecified);

    /// <summary>
    /// The instant of a local wall-clock time, read the way PostgreSQL reads it: a time skipped by a
    /// spring-forward gap takes the offset before the change, a time that occurs twice its later occurrence.
    /// </summary>
    private DateTime FromLocal(DateTime local)
    {
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Utc);
        var before = _zone!.GetUtcOffset(wall.AddDays(-2)); // DST changes are weeks apart
        var after = _zone.GetUtcOffset(wall.AddDays(2));
        var candidates = new[] { wall - before, wall - after }
            .Where(instant => wall - instant == _zone.GetUtcOffset(instant))
            .ToList();
        return candidates.Count == 0 ? wall - before : candidates.Max();
    }

    private static string? Check(string id)
    {
        if (!IanaId().IsMatch(id))
        {
            return "is not an IANA time zone id (letters, digits, '/', '_', '+', '-'), such as 'UTC' or 'Europe/Berlin'";
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return "is not a time zone known to this machine; use an IANA time zone id such as 'UTC' or 'Europe/Berlin'";
        }
        catch (InvalidTimeZoneException e)
        {
            return $"could not be read on this machine ({e.Message})";
        }

        if (!zone.HasIanaId)
        {
            return $"is a Windows time zone id; use its IANA id{(TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var iana) ? $" '{iana}'" : "")}, which PostgreSQL understands";
        }

        return CheckTransitions(zone);
    }

    /// <summary>Walks the zone's offsets day by day and checks every change against the rules in the remarks.</summary>
    private static string? CheckTransitions(TimeZoneInfo zone)
    {
        var offset = zone.GetUtcOffset(CheckedFrom);
        if (NotWholeHours(offset) is { } first)
        {
            return first;
        }

        for (var day = CheckedFrom.AddDays(1); day <= CheckedUntil; day = day.AddDays(1))
        {
            var next = zone.GetUtcOffset(day);
            if (next == offset)
            {
                continue;
            }

            var change = ChangeInstant(zone, day.AddDays(-1), day);
            var problem = NotWholeHours(next)
                ?? (change.Minute != 0 || change.Second != 0 ? $"changes its UTC offset at {change:yyyy-MM-dd HH:mm:ss} UTC, inside a UTC hour, so an hourly bucket could straddle two local days" : null)
                ?? MidnightProblem(change, offset, next);
            if (problem is not null)
            {
                return problem;
            }

            offset = next;
        }

        return null;

        string? NotWholeHours(TimeSpan value) => value.Ticks % TimeSpan.TicksPerHour == 0 ? null :
            $"has a UTC offset of {(value < TimeSpan.Zero ? "-" : "+")}{value:hh\\:mm} (not a whole number of hours) between {CheckedFrom.Year} and {CheckedUntil.Year}; " +
            "its local midnights would fall inside UTC hours, and hourly buckets cannot be rolled up into such days exactly. Use a whole-hour zone or UTC";
    }

    /// <summary>Refuses a change that makes a local midnight occur twice, or skips one other than at the change itself.</summary>
    private static string? MidnightProblem(DateTime change, TimeSpan before, TimeSpan after)
    {
        if (before > after)
        {
            // Fall-back: local times [change + after, change + before) occur twice.
            var midnight = FirstMidnightAtOrAfter(change + after);
            return midnight < change + before
                ? $"turns its clocks back across local midnight on {midnight:yyyy-MM-dd} (the local hour after midnight occurs twice), so that day's start is ambiguous; use another zone or UTC"
                : null;
        }

        // Spring-forward: local times [change + before, change + after) do not exist. A day that begins
        // with the gap starts at the change (fine); a midnight later in the gap would start the day after it.
        var skipped = FirstMidnightAtOrAfter(change + before + TimeSpan.FromTicks(1));
        return skipped < change + after
            ? $"skips local midnight on {skipped:yyyy-MM-dd} inside a DST gap that does not start at midnight; use another zone or UTC"
            : null;
    }

    private static DateTime FirstMidnightAtOrAfter(DateTime wall) => wall.Date == wall ? wall : wall.Date.AddDays(1);

    /// <summary>The first second at which the offset of <paramref name="after"/> applies (binary search).</summary>
    private static DateTime ChangeInstant(TimeZoneInfo zone, DateTime before, DateTime after)
    {
        var target = zone.GetUtcOffset(after);
        while (after - before > TimeSpan.FromSeconds(1))
        {
            var middle = before + TimeSpan.FromSeconds(Math.Floor((after - before).TotalSeconds / 2));
            if (zone.GetUtcOffset(middle) == target)
            {
                after = middle;
            }
            else
            {
                before = middle;
            }
        }

        return after;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_+\\-]*(/[A-Za-z0-9_+\\-]+)*$")]
    private static partial Regex IanaId();
}
