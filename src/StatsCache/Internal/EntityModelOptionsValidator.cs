using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace StatsCache.Internal;

/// <summary>
/// Resolves entity-mapped sources and our table names against the bound DbContext's model when the
/// options are validated — at host start-up (ValidateOnStart) — so an unsupported key type, key types that
/// disagree (the declaration, the cache's entities, the sources: see <see cref="KeyResolution"/>), a
/// name that is not a plain identifier, or a read model reading a renamed table stops the host with a
/// message naming the entity and member, instead of failing the first refresh. Sources given as LINQ
/// queries are translated to SQL here, with an instance of the bound context.
/// </summary>
internal sealed class EntityModelOptionsValidator(StatisticsCacheRegistry registry, IServiceProvider services) : IValidateOptions<StatisticsCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, StatisticsCacheOptions options)
    {
        if (registry.Find(name) is not { } marker || marker.DbContextType is not { } contextType)
        {
            return ValidateOptionsResult.Success;
        }

        using var scope = services.CreateScope();
        DbContext context;
        try
        {
            context = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);
            _ = context.Model;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return ValidateOptionsResult.Fail(StatisticsCacheOptionsValidator.NamingTheCache([$"StatsCache: could not build {contextType.Name} to read its model (UseDbContext<{contextType.Name}>()): {e.Message}"], marker));
        }

        // With the context instance, LINQ sources are translated here, once, and their SQL checked like a host's own SELECT.
        var logger = services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger("StatsCache.Sources");
        var resolution = SourceResolution.Resolve(options, marker, context, logger);
        var problems = resolution.Problems;
        if (problems.Count == 0)
        {
            marker.Resolved(options, resolution); // the cache is built from this resolution: mappings are resolved once, here
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(StatisticsCacheOptionsValidator.NamingTheCache(problems, marker));
    }
}
