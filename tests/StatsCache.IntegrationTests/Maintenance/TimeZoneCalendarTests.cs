using Npgsql;
using StatsCache.IntegrationTests.Infrastructure;
using StatsCache.Maintenance;
using StatsCache.Sql;

namespace StatsCache.IntegrationTests.Maintenance;

/// <summary>
/// The C# calendar and PostgreSQL must cut days and months at the same instants, or buckets written by
/// SQL and cut-offs computed in C# would disagree. Checked over every hour of 2000–2037 for zones with
/// northern and southern DST and with DST gaps that start at midnight. (Not beyond 2037: there .NET
/// reads the "24:00" transition times of Santiago's and Cairo's rules a day early — a disagreement that
/// <c>TimeZoneAgreement</c> would refuse at run time, long before such dates are reached.)
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TimeZoneCalendarTests(PostgresServer server)
{
    private static readonly DateTime From = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Until = new(2037, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    [InlineData("America/Santiago")]
    [InlineData("America/Sao_Paulo")]
    [InlineData("Asia/Beirut")]
    [InlineData("Africa/Cairo")]
    public async Task CSharpFloorsAndEndsEqualPostgresDateTrunc(string zoneId)
    {
        var zone = ReportingTimeZone.FromId(zoneId);
        await using var db = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var sql = new CacheSql("s", "m", null, "b", "ss", "f", "st", "r", zone);

        foreach (var size in new[] { BucketSize.Day, BucketSize.Month })
        {
            var unit = BucketCalendar.SqlUnit(size);
            // Every hour's bucket start in PostgreSQL, whether each start is at or before its hours, and
            // whether the statements' bucket-end expression gives the next start.
            await using var command = db.CreateCommand($"""
                WITH hours AS (SELECT h FROM generate_series(@from::timestamptz, @until::timestamptz, interval '1 hour') AS h),
                starts AS (SELECT DISTINCT date_trunc('{unit}', h, @zone) AS bucket_start FROM hours),
                ends AS (SELECT bucket_start, lead(bucket_start) OVER (ORDER BY bucket_start) AS next_start,
                                {sql.BucketEnd("b")} AS bucket_end
                         FROM (SELECT bucket_start, {(short)size}::smallint AS bucket_size FROM starts) AS b)
                SELECT array_agg(bucket_start ORDER BY bucket_start),
                       (SELECT bool_and(date_trunc('{unit}', h, @zone) <= h) FROM hours),
                       bool_and(next_start IS NULL OR bucket_end = next_start)
                FROM ends
                """);
            command.Parameters.AddWithValue("from", From);
            command.Parameters.AddWithValue("until", Until);
            command.Parameters.AddWithValue("zone", zoneId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var postgres = reader.GetFieldValue<DateTime[]>(0);

            var csharp = new List<DateTime>();
            for (var start = BucketCalendar.Floor(From, size, zone); start <= Until; start = BucketCalendar.End(start, size, zone))
            {
                csharp.Add(start);
            }

            csharp.Should().Equal(postgres, "{0} {1} boundaries in C# must be PostgreSQL's", zoneId, size);
            reader.GetBoolean(1).Should().BeTrue("every {0} starts at or before its instants in {1}", size, zoneId);
            reader.GetBoolean(2).Should().BeTrue("the SQL bucket end of a {0} is the next {0}'s start in {1}", size, zoneId);
        }
    }

    /// <summary>
    /// The run-time agreement check refuses a zone on which .NET and PostgreSQL disagree. Uses the real
    /// disagreement on Santiago's 2038 DST change described above (if a future .NET reads it like PostgreSQL,
    /// this test fails and the window can move on).
    /// </summary>
    [Fact]
    public async Task ADisagreementBetweenPostgresAndDotNetIsRefused()
    {
        await using var db = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        await using var connection = await db.OpenConnectionAsync();
        var santiago = ReportingTimeZone.FromId("America/Santiago");

        await TimeZoneAgreement.RequireAsync(connection, santiago, new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), CancellationToken.None);
        var late = () => TimeZoneAgreement.RequireAsync(connection, santiago, new DateTime(2037, 6, 1, 0, 0, 0, DateTimeKind.Utc), CancellationToken.None);

        (await late.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*disagree*'America/Santiago'*2038-04-03*nothing was done*");
    }
}
