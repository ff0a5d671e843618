using System.Text;
using FluentAssertions;
using StatsCache.ChangeTracking;
using StatsCache.Sources;

namespace StatsCache.Tests.ChangeTracking;

/// <summary>Trigger and function names fit PostgreSQL's 63 bytes for every accepted cache name, and never collide.</summary>
public class ChangeTrackingNamesTests
{
    private static readonly SourceRole[] Roles = Enum.GetValues<SourceRole>();

    public static TheoryData<int> Lengths() => new(Enumerable.Range(1, 63));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void EveryNameOfEveryAcceptedCacheNameFitsIn63Bytes(int length)
    {
        var cacheName = "C" + new string('$', length - 1);
        SqlIdentifier.IsValid(cacheName).Should().BeTrue("the options accept {0}-character cache names", length);

        foreach (var name in AllNames(cacheName))
        {
            Encoding.UTF8.GetByteCount(name).Should().BeLessThanOrEqualTo(63, "PostgreSQL truncates {0} beyond 63 bytes", name);
            SqlIdentifier.IsValid(name).Should().BeTrue();
        }
    }

    [Fact]
    public void LongCacheNamesWithACommonPrefixGetDifferentNames()
    {
        var prefix = new string('a', 62);
        var names = new[] { prefix + "b", prefix + "c", prefix, new string('a', 37), new string('a', 38) }
            .SelectMany(AllNames)
            .ToList();

        names.Should().OnlyHaveUniqueItems("PostgreSQL would silently make truncated names collide");
    }

    [Fact]
    public void NamesAreStableAndReadable()
    {
        ChangeTrackingNames.Function("default", SourceRole.HumanMessages).Should().Be(ChangeTrackingNames.Function("default", SourceRole.HumanMessages));
        ChangeTrackingNames.Function("default", SourceRole.HumanMessages).Should().StartWith("statscache_track_default_").And.EndWith("_humanmessages");
        ChangeTrackingNames.Trigger("reporting", SourceRole.Sessions, "delete").Should().StartWith("statscache_reporting_").And.EndWith("_sessions_delete");
    }

    private static IEnumerable<string> AllNames(string cacheName) =>
        Roles.SelectMany(role => ChangeTrackingNames.Operations.Select(op => ChangeTrackingNames.Trigger(cacheName, role, op))
            .Append(ChangeTrackingNames.Function(cacheName, role)));
}
