namespace StatsCache.Reads;

/// <summary>Totals of one experiment, as a chatbots list page shows them.</summary>
/// <param name="ExperimentId">The experiment.</param>
/// <param name="Sessions">Number of sessions.</param>
/// <param name="Participants">Number of distinct participants (sessions without a participant are not counted).</param>
/// <param name="HumanMessages">Number of human messages.</param>
/// <param name="LastActivity">Time of the last human message, if any (UTC).</param>
public sealed record ExperimentTotals(long ExperimentId, long Sessions, long Participants, long HumanMessages, DateTime? LastActivity)
{
    /// <summary>The totals of an experiment with no recorded activity (or not visible to the team).</summary>
    public static ExperimentTotals Empty(long experimentId) => new(experimentId, 0, 0, 0, null);
}
