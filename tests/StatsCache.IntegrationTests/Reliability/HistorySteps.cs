namespace StatsCache.IntegrationTests.Reliability;

/// <summary>
/// One step of a generated history. Steps hold small numbers only (indices, per-mille positions in
/// the current insert window), so a shrunk history stays valid and prints as a readable script; the
/// interpreter (<see cref="HistoryRunner"/>) turns them into concrete rows and calls.
/// </summary>
public abstract record HistoryStep;

/// <summary>The fake clock moves forward.</summary>
public sealed record Tick(int Minutes) : HistoryStep
{
    public override string ToString() => Minutes % 1440 == 0 ? $"advance {Minutes / 1440}d" : Minutes % 60 == 0 ? $"advance {Minutes / 60}h" : $"advance {Minutes}min";
}

/// <summary>
/// A new session of team <see cref="Team"/>'s experiment <see cref="Experiment"/> (participant 0 is
/// anonymous), created at <see cref="At"/>‰ of the insert window, with <see cref="Humans"/> human
/// messages and a bot reply tagged with version <see cref="Version"/> (0: none).
/// </summary>
public sealed record NewSession(int Team, int Experiment, int Participant, int At, int Humans, int Version) : HistoryStep
{
    public override string ToString() => $"new session team {Team} exp {Experiment} participant {(Participant == 0 ? "none" : Participant)} at {At}‰ with {Humans} human msg(s), version {Version}";
}

/// <summary>
/// A session committed late: stamped <see cref="DaysBack"/> days (and a few minutes) before the
/// refresh's look-back window, so only a backfill of its range may count it.
/// </summary>
public sealed record LateSession(int Team, int Experiment, int Participant, int DaysBack, int Humans) : HistoryStep
{
    public override string ToString() => $"late session team {Team} exp {Experiment} participant {(Participant == 0 ? "none" : Participant)} {DaysBack}d before the window with {Humans} human msg(s)";
}

/// <summary>More messages in an existing (not purged) session, picked by index.</summary>
public sealed record MoreMessages(int Session, int At, int Humans, int Version) : HistoryStep
{
    public override string ToString() => $"more messages in session pick {Session} at {At}‰: {Humans} human msg(s), version {Version}";
}

/// <summary>
/// A human message of an existing (not purged) session, picked by index, stamped before the session
/// started (an import, two servers' clocks): at <see cref="At"/>‰ between the start of the insert
/// window and the session's start. Skipped when the session started at the window's start.
/// </summary>
public sealed record MessageBeforeStart(int Session, int At) : HistoryStep
{
    public override string ToString() => $"human msg before the start of session pick {Session} at {At}‰";
}

/// <summary>A retention purge of a whole session, picked by index (skipped when it is not old enough, see the runner).</summary>
public sealed record Purge(int Session) : HistoryStep
{
    public override string ToString() => $"purge session pick {Session}";
}

public sealed record Refresh : HistoryStep
{
    public override string ToString() => "refresh";
}

public sealed record Compress : HistoryStep
{
    public override string ToString() => "compress";
}

public sealed record BackfillAll : HistoryStep
{
    public override string ToString() => "backfill all";
}

/// <summary>A backfill of some experiments (bit i of <see cref="Mask"/>: the i-th of the four experiments) from <see cref="DaysBack"/> days ago.</summary>
public sealed record BackfillSome(int Mask, int DaysBack) : HistoryStep
{
    public override string ToString() => $"backfill experiments mask {Mask} from {DaysBack}d ago";
}

/// <summary>A whole history: where the clock starts, the look-back, and the steps.</summary>
public sealed record History(DateTime Start, TimeSpan LookBack, IReadOnlyList<HistoryStep> Steps)
{
    public override string ToString() =>
        $"start {Start:yyyy-MM-dd HH:mm}Z, look-back {LookBack.TotalMinutes} min, {Steps.Count} steps:\n"
        + string.Join("\n", Steps.Select((s, i) => $"  {i + 1,2}. {s}"));
}
