namespace StatsCache.Benchmarks.Workload;

/// <summary>
/// The shape of a generated workload. Every size has the same shape (20 teams, 18 months, power-law
/// experiment popularity tuned so the largest chatbot holds about 1/8 of all sessions, recent activity
/// weighted); only the counts scale.
/// </summary>
public sealed record WorkloadSize(
    string Name,
    int Teams,
    int Experiments,
    int Participants,
    int Sessions,
    long Messages,
    int Months)
{
    /// <summary>The issue's reference workload.</summary>
    public static readonly WorkloadSize Reference = new("reference", 20, 2_000, 300_000, 2_000_000, 20_000_000, 18);

    /// <summary>A tenth of the reference: a minute or two to generate, enough to see how things grow.</summary>
    public static readonly WorkloadSize Medium = new("medium", 20, 2_000, 30_000, 200_000, 2_000_000, 18);

    /// <summary>A hundredth of the reference: the CI smoke size.</summary>
    public static readonly WorkloadSize Small = new("small", 20, 200, 3_000, 20_000, 200_000, 18);

    public static IReadOnlyList<WorkloadSize> All { get; } = [Small, Medium, Reference];

    /// <summary>Share of all sessions that go to the most popular experiment.</summary>
    public const double LargestExperimentShare = 0.125;

    /// <summary>
    /// Growth of activity over the whole period (e^g): the last hour is about g times the average
    /// hour, which at the reference size gives the issue's ≈ 3,300 human messages per hour.
    /// </summary>
    public const double Growth = 4.3;

    /// <summary>
    /// Exponent k of the power law experiment = floor(n · u^k): the first experiment gets
    /// P(u^k &lt; 1/n) = n^(−1/k) of the sessions, so k = ln n / ln(1/share).
    /// </summary>
    public double PopularityExponent => Math.Log(Experiments) / Math.Log(1 / LargestExperimentShare);

    public static WorkloadSize Parse(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown size '{name}': use {string.Join(", ", All.Select(s => s.Name))}.", nameof(name));
}
