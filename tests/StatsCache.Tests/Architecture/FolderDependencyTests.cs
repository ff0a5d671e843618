using System.Reflection;
using FluentAssertions;
using NetArchTest.Rules;

namespace StatsCache.Tests.Architecture;

/// <summary>
/// The folders of src/StatsCache depend one way only (CONTRIBUTING.md, code map): each may use the internal types of
/// the folders below it, never of its own layer's other folders or of those above. The public surface — every public
/// type, whatever namespace it is declared in (the root <c>StatsCache</c> namespace, or a folder's) — is the shared
/// vocabulary and may be used from anywhere; so is the root namespace's public API. The rule is over namespaces, read
/// from the built assembly's type references (NetArchTest), so moving a public type's namespace changes nothing here.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Bottom first; folders on one line are siblings (neither may use the other's internals).</summary>
    private static readonly string[][] Layers =
    [
        ["Policy"],
        ["Sql"],
        ["Sources"],
        ["Storage"],
        ["Internal"],
        ["ChangeTracking"],
        ["Maintenance", "Reads"],
        ["Health"],
        ["Hosting"],
        ["DependencyInjection"],
    ];

    private static readonly Assembly Library = typeof(StatisticsCacheOptions).Assembly;

    public static TheoryData<string> Folders() => [.. Layers.SelectMany(l => l)];

    [Theory]
    [MemberData(nameof(Folders))]
    public void FolderUsesNoInternalTypeOfItsOwnLayerOrAbove(string folder)
    {
        var layer = Array.FindIndex(Layers, l => l.Contains(folder));
        var forbidden = Layers.Skip(layer).SelectMany(l => l).Where(f => f != folder)
            .SelectMany(InternalTypesOf)
            .Concat(RootInternals(folder))
            .ToArray();

        var result = forbidden.Length == 0
            ? null
            : Types.InAssembly(Library).That().ResideInNamespace(Namespace(folder)).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        var failing = result?.FailingTypeNames ?? [];
        failing.Should().BeEmpty(
            failing.Count == 0 ? "" :
            $"StatsCache.{folder} may use only the public surface and the internal types of the folders below it ({string.Join(", ", Layers.Take(layer).SelectMany(l => l))}); " +
            $"it uses internal types of: {string.Join(", ", Offending(folder, forbidden))}");
    }

    [Fact]
    public void EveryFolderOfTheLibraryHasALayer()
    {
        var layered = Layers.SelectMany(l => l).Select(Namespace).ToHashSet(StringComparer.Ordinal);
        Library.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith("StatsCache.", StringComparison.Ordinal))
            .Distinct()
            .Where(n => !layered.Contains(n))
            .Should().BeEmpty("a new folder namespace needs its place in the layering (CONTRIBUTING.md's code map and this test)");
    }

    /// <summary>A rule that finds nothing proves nothing: a known back-edge (a lower folder naming a higher one's internal type) is caught.</summary>
    [Fact]
    public void RuleSeesADependencyOnAnInternalType()
    {
        // Maintenance (above Internal) uses Internal's CacheEnvironment; the same check with the layers turned over fails.
        var result = Types.InAssembly(Library).That().ResideInNamespace(Namespace("Maintenance")).ShouldNot()
            .HaveDependencyOnAny([.. InternalTypesOf("Internal")]).GetResult();
        result.IsSuccessful.Should().BeFalse();
        result.FailingTypeNames.Should().Contain("StatsCache.Maintenance.Refresher");
    }

    private static string Namespace(string folder) => "StatsCache." + folder;

    /// <summary>The full names of the top-level non-public types declared in a folder's namespace (a nested type's name starts with its parent's).</summary>
    private static IEnumerable<string> InternalTypesOf(string folder) =>
        Library.GetTypes()
            .Where(t => !t.IsNested && !t.IsPublic && t.Namespace == Namespace(folder) && !t.Name.StartsWith('<'))
            .Select(t => t.FullName!);

    /// <summary>The root namespace's internal types (the <c>StatisticsCache</c> facade) sit above every folder but the composition root.</summary>
    private static IEnumerable<string> RootInternals(string folder) =>
        folder == "DependencyInjection"
            ? []
            : Library.GetTypes().Where(t => !t.IsNested && !t.IsPublic && t.Namespace == "StatsCache" && !t.Name.StartsWith('<')).Select(t => t.FullName!);

    private static IEnumerable<string> Offending(string folder, string[] forbidden) =>
        forbidden.Where(name => Types.InAssembly(Library).That().ResideInNamespace(Namespace(folder)).ShouldNot().HaveDependencyOn(name).GetResult() is { IsSuccessful: false } r)
            .Select(name => $"{name} (from {string.Join(", ", Types.InAssembly(Library).That().ResideInNamespace(Namespace(folder)).ShouldNot().HaveDependencyOn(name).GetResult().FailingTypeNames ?? [])})");
}
