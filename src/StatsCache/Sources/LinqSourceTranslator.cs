using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace StatsCache.Sources;

/// <summary>
/// Translates a <see cref="LinqSourceMapping"/> to SQL once, with EF Core's own query pipeline
/// (<c>CreateDbCommand()</c>, which builds the command text without opening a connection), and wraps it so its
/// columns carry the canonical names: <c>SELECT q."TeamId" AS team_id, … FROM (&lt;EF's SELECT&gt;) AS q</c>.
/// EF names each projected column after the anonymous type's member, so the member names are the roles.
/// </summary>
/// <remarks>
/// <para>
/// The text is made once and embedded in every statement, so it must not depend on a value known only at run
/// time. A constant in the expression (<c>m.Role == "user"</c>) is inlined by EF as a literal. A captured variable
/// (<c>m.Role == role</c>) becomes a parameter (<c>@role</c>): refused, naming it — write the value as a constant, or
/// wrap a value fixed at start-up in <c>EF.Constant(role)</c> to inline it deliberately. The clock and random values
/// (<c>DateTime.UtcNow</c>, <c>Guid.NewGuid()</c>, …) would be translated to <c>now()</c>, <c>gen_random_uuid()</c>: a
/// source whose rows change with the time the statement runs cannot be counted exactly, so they are refused too.
/// </para>
/// <para>
/// EF's SQL for the same model and query is the same text every start. Nothing records which text built the
/// cache's buckets: after changing a source's query, rebuild (<c>BackfillAsync</c>); <c>VerifyAsync</c> shows the
/// difference until then.
/// </para>
/// </remarks>
internal static class LinqSourceTranslator
{
    public static LinqSourceTranslation Translate(LinqSourceMapping mapping, DbContext context)
    {
        var problems = new List<string>();
        var fail = (string problem) => new LinqSourceTranslation(null, [], [$"StatsCache: {mapping.Describe}: {problem}"]);
        if (!mapping.ContextType.IsInstanceOfType(context))
        {
            return fail($"the query is written over {mapping.ContextType.Name}, but the cache is bound to {context.GetType().Name} (UseDbContext<{context.GetType().Name}>()); write it over the bound context");
        }

        IQueryable query;
        try
        {
            query = mapping.Query(context);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return fail($"building the query threw {e.GetType().Name}: {e.Message}");
        }

        if (query is null)
        {
            return fail("the query is null");
        }

        if (Projection(query.Expression) is not { } members)
        {
            return fail($"the query must end in .Select(x => new {{ {string.Join(", ", EntitySourceMapping.Roles[mapping.Role])} }}) naming a member per role; it ends in '{Shorten(query.Expression)}'");
        }

        var canonical = new List<(string Member, string Canonical)>();
        var keys = new List<SourceKey>();
        foreach (var (name, type) in members)
        {
            var roles = EntitySourceMapping.Roles[mapping.Role];
            var optional = EntitySourceMapping.OptionalRoles[mapping.Role];
            if (!roles.Contains(name, StringComparer.Ordinal) && !optional.Contains(name, StringComparer.Ordinal))
            {
                var also = optional.Length > 0 ? $" (optional: {string.Join(", ", optional)})" : "";
                problems.Add($"'{name}' is not a role; the roles are {string.Join(", ", roles)}{also}. Project only the roles");
                continue;
            }

            var role = EntitySourceMapping.Canonical(name);
            if (TypeProblem(role, type) is { } typeProblem)
            {
                problems.Add($"{name} is {type.Name}; {typeProblem}");
            }
            else if (SourceKey.Kinds.ContainsKey(role) && SourceKey.Of(type) is { } key)
            {
                keys.Add(new SourceKey(role, key, $"{mapping.Describe}: member {name}"));
            }

            canonical.Add((name, role));
        }

        var missing = EntitySourceMapping.Roles[mapping.Role].Where(r => members.All(m => m.Name != r)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"the projection does not name {string.Join(", ", missing)}");
        }

        problems.AddRange(ChainOperators(query.Expression).Where(RefusedOperators.Contains).Distinct(StringComparer.Ordinal).Select(o => o.StartsWith("Take", StringComparison.Ordinal) || o.StartsWith("Skip", StringComparison.Ordinal)
            ? $"the query uses .{o}(…): a source is all of its rows, and the cache counts every one; filter with Where instead"
            : $"the query uses .{o}(…): a source's order means nothing to the cache, and an ORDER BY keeps PostgreSQL from flattening the sub-query, so the cache's time-range predicates could not reach your indexes; remove it"));

        problems.AddRange(VolatileMembers.Find(query.Expression).Select(m =>
            $"the query reads {m}, which EF translates to a value taken when each statement runs; a source must select the same rows whenever it is read. Filter on a fixed value, or leave time windows to the cache"));

        string text;
        try
        {
            using var command = query.CreateDbCommand();
            if (command.Parameters.Count > 0)
            {
                var names = string.Join(", ", command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => "@" + p.ParameterName.TrimStart('@')));
                problems.Add($"its SQL has parameters ({names}), from variables the expression captures. The query is translated once at start-up and must not depend on a run-time value: " +
                    "write the value as a constant, or wrap a value fixed at start-up in EF.Constant(…) to inline it as a literal");
            }

            text = command.CommandText;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            problems.Add($"EF Core cannot translate the query to SQL: {e.Message}");
            text = "";
        }

        if (problems.Count > 0)
        {
            return new LinqSourceTranslation(null, [], problems.Select(p => $"StatsCache: {mapping.Describe}: {p}.").ToList());
        }

        if (SqlText.Problem(text) is { } sqlProblem)
        {
            return fail($"EF's SQL for the query {sqlProblem}: {Shorten(text)}");
        }

        var columns = string.Join(", ", canonical.Select(c => $"q.{QuoteAlias(c.Member)} AS {c.Canonical}"));
        return new LinqSourceTranslation($"SELECT {columns}\nFROM (\n{text.Trim()}\n) AS q", canonical.Select(c => c.Canonical).ToList(), []) { Keys = keys };
    }

    /// <summary>Operators of the query's own chain (not of sub-queries inside its lambdas) a source cannot have.</summary>
    private static readonly HashSet<string> RefusedOperators = new(StringComparer.Ordinal)
    {
        nameof(Queryable.Take), nameof(Queryable.Skip), nameof(Queryable.TakeLast), nameof(Queryable.SkipLast), nameof(Queryable.TakeWhile), nameof(Queryable.SkipWhile),
        nameof(Queryable.OrderBy), nameof(Queryable.OrderByDescending), nameof(Queryable.ThenBy), nameof(Queryable.ThenByDescending), nameof(Queryable.Order), nameof(Queryable.OrderDescending),
    };

    /// <summary>The names of the Queryable operators the query is chained from, outermost first.</summary>
    private static IEnumerable<string> ChainOperators(Expression expression)
    {
        while (expression is MethodCallExpression { Method.DeclaringType: var type, Arguments.Count: > 0 } call && type == typeof(Queryable))
        {
            yield return call.Method.Name;
            expression = call.Arguments[0];
        }
    }

    /// <summary>The members (name, type) of the query's final <c>Select(x =&gt; new { … })</c>, or null when it ends otherwise.</summary>
    private static List<(string Name, Type Type)>? Projection(Expression expression)
    {
        if (expression is not MethodCallExpression { Method: { Name: nameof(Queryable.Select), DeclaringType: var declaring } } select
            || declaring != typeof(Queryable)
            || select.Arguments[1] is not UnaryExpression { Operand: LambdaExpression lambda })
        {
            return null;
        }

        return lambda.Body switch
        {
            NewExpression { Members: { } members } => members.Select(m => (m.Name, MemberType(m))).ToList(),
            MemberInitExpression init => init.Bindings.Select(b => (b.Member.Name, MemberType(b.Member))).ToList(),
            _ => null,
        };
    }

    private static Type MemberType(MemberInfo member) => member switch
    {
        PropertyInfo p => p.PropertyType,
        FieldInfo f => f.FieldType,
        MethodInfo m => m.ReturnType, // an anonymous type's member as its getter
        _ => typeof(object),
    };

    /// <summary>Why a member of CLR type <paramref name="type"/> cannot play <paramref name="canonical"/>, or null.</summary>
    private static string? TypeProblem(string canonical, Type type)
    {
        var clr = Nullable.GetUnderlyingType(type) ?? type;
        return canonical switch
        {
            "created_at" when clr != typeof(DateTime) && clr != typeof(DateTimeOffset) => "created_at must be a DateTime or DateTimeOffset stored as timestamp with time zone",
            "version" when clr != typeof(string) => "the version label must be a string (text)",
            "value" when clr != typeof(long) && clr != typeof(int) && clr != typeof(short) => "a measure's Value must be an integer (long, int or short)",
            "created_at" or "version" or "value" => null,
            _ when SourceKey.Of(clr) is null => $"{canonical} must be a long, int (or short) or Guid; {clr.Name} keys are not supported",
            _ => null,
        };
    }

    /// <summary>A C# member name as a quoted SQL identifier (EF's column alias); a C# name holds no double quote, doubling is belt and braces.</summary>
    private static string QuoteAlias(string member) => "\"" + member.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Shorten(object value)
    {
        var text = value.ToString() ?? "";
        return text.Length <= 160 ? text : text[..157] + "...";
    }

    /// <summary>Finds reads of the clock and of random values in an expression tree.</summary>
    private sealed class VolatileMembers : ExpressionVisitor
    {
        private static readonly (Type Type, string Member)[] Volatile =
        [
            // By name: nameof() of the clock members counts as a use of the banned symbols.
            (typeof(DateTime), "Now"), (typeof(DateTime), "UtcNow"), (typeof(DateTime), "Today"),
            (typeof(DateTimeOffset), "Now"), (typeof(DateTimeOffset), "UtcNow"),
            (typeof(Guid), nameof(Guid.NewGuid)), (typeof(Guid), nameof(Guid.CreateVersion7)),
            (typeof(DbFunctionsExtensions), "Random"),
        ];

        private readonly List<string> _found = [];

        public static List<string> Find(Expression expression)
        {
            var visitor = new VolatileMembers();
            visitor.Visit(expression);
            return visitor._found.Distinct(StringComparer.Ordinal).ToList();
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            Check(node.Member);
            return base.VisitMember(node);
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            Check(node.Method);
            return base.VisitMethodCall(node);
        }

        private void Check(MemberInfo member)
        {
            if (Volatile.Any(v => v.Type == member.DeclaringType && v.Member == member.Name))
            {
                _found.Add($"{member.DeclaringType!.Name}.{member.Name}");
            }
        }
    }
}
