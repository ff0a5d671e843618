using System.Linq.Expressions;

namespace StatsCache.Sources;

/// <summary>
/// A source given as an EF Core entity type plus a projection naming which property plays which
/// role, e.g. <c>s =&gt; new { TeamId = s.Team.Id, ExperimentId = s.BotId, SessionId = s.Id, s.ParticipantId, s.CreatedAt }</c>
/// (a foreign-key shadow property is not reachable this way; map its CLR property or use a view).
/// Table and column names are read from the host's model at first use, so naming conventions just work.
/// A source given as a LINQ query over the host's DbContext is the derived <see cref="LinqSourceMapping"/>.
/// </summary>
internal record EntitySourceMapping(SourceRole Role, Type EntityType, IReadOnlyDictionary<string, string> PropertyByCanonical)
{
    internal static readonly Dictionary<SourceRole, string[]> Roles = new()
    {
        [SourceRole.Sessions] = ["TeamId", "ExperimentId", "SessionId", "ParticipantId", "CreatedAt"],
        [SourceRole.HumanMessages] = ["TeamId", "ExperimentId", "SessionId", "CreatedAt"],
        [SourceRole.Versions] = ["SessionId", "Version", "CreatedAt"],
        [SourceRole.Measure] = ["TeamId", "ExperimentId", "SessionId", "CreatedAt"],
    };

    /// <summary>Roles a projection may name but need not: version tags carry a team only where session ids are unique per team.</summary>
    internal static readonly Dictionary<SourceRole, string[]> OptionalRoles = new()
    {
        [SourceRole.Sessions] = [],
        [SourceRole.HumanMessages] = [],
        [SourceRole.Versions] = ["TeamId"],
        [SourceRole.Measure] = ["Value"],
    };

    /// <summary>Reads the projection; throws naming what is missing or not a plain property.</summary>
    public static EntitySourceMapping From<TEntity>(SourceRole role, LambdaExpression projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        if (typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(typeof(TEntity)))
        {
            throw new ArgumentException(
                $"Map{role}<{typeof(TEntity).Name}>: a query over a DbContext must end in .Select(x => new {{ {string.Join(", ", Roles[role])} }}) (an anonymous object naming the roles); it returns '{projection.Body.Type.Name}'.",
                nameof(projection));
        }

        if (projection.Body is not NewExpression { Members: { } members } body)
        {
            throw new ArgumentException(
                $"Map{role} expects an anonymous object naming the roles, e.g. e => new {{ {string.Join(", ", Roles[role].Select(r => r + " = e." + r))} }}.",
                nameof(projection));
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var roleName = members[i].Name;
            if (!Roles[role].Contains(roleName, StringComparer.Ordinal) && !OptionalRoles[role].Contains(roleName, StringComparer.Ordinal))
            {
                var optional = OptionalRoles[role].Length > 0 ? $" (optional: {string.Join(", ", OptionalRoles[role])})" : "";
                throw new ArgumentException($"Map{role}: '{roleName}' is not a role; the roles are {string.Join(", ", Roles[role])}{optional}.", nameof(projection));
            }

            var argument = body.Arguments[i];
            while (argument is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
            {
                argument = convert.Operand;
            }

            if (argument is not MemberExpression { Expression: ParameterExpression } member)
            {
                throw new ArgumentException($"Map{role}: {roleName} must be a property of {typeof(TEntity).Name} itself (e.g. e.{roleName}), not '{body.Arguments[i]}'.", nameof(projection));
            }

            map[Canonical(roleName)] = member.Member.Name;
        }

        var missing = Roles[role].Where(r => !map.ContainsKey(Canonical(r))).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Map{role}: the projection does not name {string.Join(", ", missing)}.", nameof(projection));
        }

        return new EntitySourceMapping(role, typeof(TEntity), map);
    }

    /// <summary>TeamId → team_id.</summary>
    internal static string Canonical(string role) =>
        string.Concat(role.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
