namespace StatsCache;

/// <summary>What a reconcile changed, with the host's team and experiment ids.</summary>
/// <typeparam name="TTeamId">The type of the host's team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public sealed record ReconcileResult<TTeamId, TExperimentId>
    where TTeamId : notnull
    where TExperimentId : notnull
{
    /// <summary>Start of the recomputed range (aligned to the stored buckets).</summary>
    public required DateTime From { get; init; }

    /// <summary>End of the recomputed range.</summary>
    public required DateTime To { get; init; }

    /// <summary>Chunks (transactions) committed.</summary>
    public int Chunks { get; init; }

    /// <summary>Experiments whose statistics over the range changed, with the range's statistics before and after.</summary>
    public IReadOnlyList<ExperimentChange<TTeamId, TExperimentId>> Changes { get; init; } = [];

    /// <summary>Rows written.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>One experiment's statistics over a reconciled range, before and after.</summary>
/// <typeparam name="TTeamId">The type of the host's team ids.</typeparam>
/// <typeparam name="TExperimentId">The type of the host's experiment ids.</typeparam>
public sealed record ExperimentChange<TTeamId, TExperimentId>
    where TTeamId : notnull
    where TExperimentId : notnull
{
    /// <summary>The team.</summary>
    public required TTeamId TeamId { get; init; }

    /// <summary>The experiment.</summary>
    public required TExperimentId ExperimentId { get; init; }

    /// <summary>Statistics of the range before (participants: first visits in the range).</summary>
    public required ExperimentStats Before { get; init; }

    /// <summary>Statistics of the range after.</summary>
    public required ExperimentStats After { get; init; }
}
