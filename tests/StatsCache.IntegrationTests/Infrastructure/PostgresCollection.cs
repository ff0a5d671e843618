using System.Diagnostics.CodeAnalysis;

namespace StatsCache.IntegrationTests.Infrastructure;

/// <summary>
/// Every test class that needs PostgreSQL joins this collection, so one server serves the
/// whole run; classes isolate themselves with <see cref="PostgresServer.CreateDatabaseAsync"/>.
/// </summary>
[CollectionDefinition(Name)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit collection definitions are conventionally named *Collection.")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
