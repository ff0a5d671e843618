using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace StatsCache.CitusTests.Infrastructure;

/// <summary>Where Citus runs a statement, read from its plan.</summary>
public enum PlanKind
{
    /// <summary>One task on one shard (or one reference-table placement): a single-node query.</summary>
    Router,

    /// <summary>One task per shard, each shard-local: joins and aggregates pushed down to the workers.</summary>
    Pushdown,

    /// <summary>Distributed subplans (intermediate results) or an INSERT … SELECT pulled through the coordinator.</summary>
    Coordinator,

    /// <summary>Rows shuffled between workers (a repartition join or INSERT … SELECT).</summary>
    Repartition,

    /// <summary>No distributed table in the statement (a catalog lookup, a constant).</summary>
    Local,
}

/// <summary>One executed statement and its plan, as auto_explain printed it on the coordinator.</summary>
public sealed partial record ExplainedStatement(string QueryText, string Plan)
{
    public PlanKind Kind => Classify(Plan);

    /// <summary>The statement's first words, whitespace collapsed: enough to tell the statements apart in a report.</summary>
    public string Head => Whitespace().Replace(QueryText, " ").Trim() is var t && t.Length > 110 ? t[..110] : Whitespace().Replace(QueryText, " ").Trim();

    public static PlanKind Classify(string plan)
    {
        if (plan.Contains("repartition", StringComparison.OrdinalIgnoreCase))
        {
            return PlanKind.Repartition;
        }

        if (plan.Contains("Distributed Subplan", StringComparison.Ordinal) || plan.Contains("pull to coordinator", StringComparison.Ordinal))
        {
            return PlanKind.Coordinator;
        }

        if (!plan.Contains("Custom Scan (Citus", StringComparison.Ordinal))
        {
            return PlanKind.Local;
        }

        var taskCounts = TaskCount().Matches(plan).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return taskCounts.Count > 0 && taskCounts.All(n => n == 1) ? PlanKind.Router : PlanKind.Pushdown;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"Task Count: (\d+)")]
    private static partial Regex TaskCount();
}

/// <summary>
/// Collects the plans auto_explain sends as notices (the cache's connections load it with
/// <c>auto_explain.log_level = notice</c>) through Npgsql's "Received notice" log: every statement
/// the cache or the host's DbContext runs, with the parameters it ran with, and Citus's plan kind.
/// </summary>
public sealed partial class PlanLog : ILoggerProvider
{
    /// <summary>Connection options that make the coordinator explain every statement to the client.</summary>
    public const string ExplainOptions =
        "-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_level=notice";

    private readonly ConcurrentQueue<ExplainedStatement> _statements = new();
    private int _count;

    /// <summary>How many statements have been explained so far: a mark to read <see cref="Since"/> from.</summary>
    public int Mark => Volatile.Read(ref _count);

    public IReadOnlyList<ExplainedStatement> Since(int mark) => _statements.Skip(mark).ToList();

    public IReadOnlyList<ExplainedStatement> All => _statements.ToList();

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith("Npgsql", StringComparison.Ordinal) ? new NoticeLogger(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private void Add(string notice)
    {
        // "duration: 1.234 ms  plan:\nQuery Text: …\n<plan>". Subplans arrive on their own with an empty text: their parent shows them.
        var match = Notice().Match(notice);
        if (!match.Success || string.IsNullOrWhiteSpace(match.Groups["query"].Value))
        {
            return;
        }

        // The query text may span lines; the plan starts at the first line that is a plan node.
        var lines = (match.Groups["query"].Value + match.Groups["rest"].Value).Split('\n');
        var firstPlanLine = Array.FindIndex(lines, l => PlanNode().IsMatch(l));
        if (firstPlanLine < 0)
        {
            return;
        }

        _statements.Enqueue(new ExplainedStatement(string.Join('\n', lines[..firstPlanLine]), string.Join('\n', lines[firstPlanLine..])));
        Interlocked.Increment(ref _count);
    }

    [GeneratedRegex(@"^duration: [0-9.]+ ms\s+plan:\s*\nQuery Text: (?<query>[^\n]*)(?<rest>[\s\S]*)$")]
    private static partial Regex Notice();

    /// <summary>A top-level plan line: a node name followed by its cost estimate.</summary>
    [GeneratedRegex(@"^[A-Z][^\n]*?\s\(cost=\d")]
    private static partial Regex PlanNode();

    private sealed class NoticeLogger(PlanLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.FirstOrDefault(kv => kv.Key == "NoticeText").Value is string notice)
            {
                log.Add(notice);
            }
        }
    }

    private sealed class NullLogger : ILogger
    {
        public static readonly NullLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
