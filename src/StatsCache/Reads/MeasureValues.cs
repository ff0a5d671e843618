using System.Collections.ObjectModel;
using StatsCache.Sql;

namespace StatsCache.Reads;

/// <summary>
/// The <c>Measures</c> dictionary of a result: every declared measure (<see cref="CacheSql.Measures"/>), in declaration
/// order, with the value a read returned for it or zero. A result of nothing shares one read-only dictionary of zeros.
/// </summary>
internal sealed class MeasureValues(IReadOnlyList<HostMeasure> measures)
{
    /// <summary>Every declared measure at zero: what an id with nothing recorded (or of another team) reads.</summary>
    public IReadOnlyDictionary<string, long> Zeros { get; } = new ReadOnlyDictionary<string, long>(measures.ToDictionary(m => m.Name, _ => 0L));

    /// <summary>The values a read returned (null: none), with zero for every declared measure it did not return.</summary>
    public IReadOnlyDictionary<string, long> Of(IReadOnlyDictionary<string, long>? values)
    {
        if (values is null || values.Count == 0)
        {
            return Zeros;
        }

        var all = new Dictionary<string, long>(measures.Count);
        foreach (var measure in measures)
        {
            all[measure.Name] = values.GetValueOrDefault(measure.Name);
        }

        return new ReadOnlyDictionary<string, long>(all);
    }
}
