using System.Text.RegularExpressions;

namespace StatsCache.Sources;

/// <summary>The problems of the declared measures (<see cref="StatisticsCacheOptions.Measures"/>), each naming the option: start-up failures.</summary>
internal static partial class MeasureValidation
{
    /// <summary>Names the built-in statistics use: a measure of that name would read as one of them.</summary>
    private static readonly HashSet<string> Reserved = ["sessions", "session_count", "participants", "participant_count", "new_participant_count",
        "human_messages", "human_message_count", "last_activity", "versions"];

    /// <param name="measures">The declared measures.</param>
    /// <param name="mapped">The names of the measures whose source is an EF LINQ query (<c>AddMeasure&lt;TContext&gt;</c>), which need no Table or Sql.</param>
    public static IEnumerable<string> Problems(IReadOnlyList<MeasureOptions> measures, IReadOnlyCollection<string>? mapped = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < measures.Count; i++)
        {
            var measure = measures[i];
            var option = $"Measures[{i}]";
            if (string.IsNullOrEmpty(measure.Name) || !PlainName().IsMatch(measure.Name))
            {
                yield return $"{option}.Name '{measure.Name}' is not a plain lower-case identifier of at most 63 characters (letters, digits, underscores, not starting with a digit), e.g. bot_messages.";
            }
            else
            {
                option = $"Measures[{i}] ({measure.Name})";
                if (Reserved.Contains(measure.Name))
                {
                    yield return $"{option}.Name is the name of a built-in statistic; choose another (e.g. {measure.Name}_extra).";
                }

                if (!seen.Add(measure.Name))
                {
                    yield return $"{option}.Name is declared twice; every measure needs a name of its own.";
                }
            }

            if (!Enum.IsDefined(measure.Aggregate))
            {
                yield return $"{option}.Aggregate {(int)measure.Aggregate} is not a MeasureAggregate; use Count or Sum.";
            }

            foreach (var problem in SourceRelation.Validate(measure.Source, option + ".Source", required: mapped?.Contains(measure.Name) != true))
            {
                yield return problem;
            }

            if (measure.Aggregate == MeasureAggregate.Sum && measure.Source.Table is not null && measure.Source.ValueColumn is null)
            {
                yield return $"{option}.Source.ValueColumn is not set; a Sum needs the column it sums (e.g. tokens).";
            }
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex PlainName();
}
