using FluentAssertions;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

public class SourceRelationTests
{
    [Fact]
    public void SessionTableBecomesASubqueryWithCanonicalColumns()
    {
        var source = new SessionSourceOptions
        {
            Schema = "app",
            Table = "chat_sessions",
            TeamIdColumn = "TeamId",
            ExperimentIdColumn = "bot_id",
            SessionIdColumn = "id",
            ParticipantIdColumn = "participant",
            CreatedAtColumn = "started_at",
        };

        SourceRelation.ToSql(source).Should().Be(
            "(SELECT t.\"TeamId\" AS team_id, t.\"bot_id\" AS experiment_id, t.\"id\" AS session_id, " +
            "t.\"participant\" AS participant_id, t.\"started_at\" AS created_at FROM \"app\".\"chat_sessions\" AS t)");
    }

    [Fact]
    public void DefaultColumnsAndNoSchemaUseTheSearchPath()
    {
        var source = new HumanMessageSourceOptions { Table = "human_messages" };

        SourceRelation.ToSql(source).Should().Be(
            "(SELECT t.\"team_id\" AS team_id, t.\"experiment_id\" AS experiment_id, t.\"session_id\" AS session_id, " +
            "t.\"created_at\" AS created_at FROM \"human_messages\" AS t)");
    }

    [Fact]
    public void VersionTableExposesSessionVersionAndTime()
    {
        var source = new VersionSourceOptions { Table = "message_versions", VersionColumn = "label", CreatedAtColumn = "tagged_at" };

        SourceRelation.ToSql(source).Should().Be(
            "(SELECT t.\"session_id\" AS session_id, t.\"label\" AS version, t.\"tagged_at\" AS created_at FROM \"message_versions\" AS t)");
    }

    [Fact]
    public void SqlSourceIsWrappedInParentheses()
    {
        var source = new HumanMessageSourceOptions
        {
            Sql = "  SELECT team_id, experiment_id, session_id, created_at FROM messages WHERE role = 'human'\n",
        };

        SourceRelation.ToSql(source).Should().Be(
            "(SELECT team_id, experiment_id, session_id, created_at FROM messages WHERE role = 'human'\n)");
    }

    [Fact]
    public void ToSqlRefusesAnUnsafeColumnName()
    {
        var source = new SessionSourceOptions { Table = "sessions", TeamIdColumn = "team_id\" FROM pg_authid --" };

        FluentActions.Invoking(() => SourceRelation.ToSql(source)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ValidTableSourceHasNoProblems() =>
        SourceRelation.Validate(new SessionSourceOptions { Schema = "app", Table = "sessions" }, "Sessions", required: true)
            .Should().BeEmpty();

    [Theory]
    [InlineData("SELECT 1 AS session_id, 'v1' AS version, now() AS created_at")]
    [InlineData("select session_id, version, created_at from v")]
    [InlineData("  WITH v AS (SELECT 1 AS session_id, 'x' AS version, now() AS created_at) SELECT * FROM v")]
    [InlineData("\n\tSelect session_id, version, created_at FROM v")]
    public void ValidSqlSourceHasNoProblems(string sql) =>
        SourceRelation.Validate(new VersionSourceOptions { Sql = sql }, "Versions", required: true).Should().BeEmpty();

    [Fact]
    public void MissingRequiredSourceIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions(), "StatisticsCacheOptions.Sessions", required: true)
            .Should().ContainSingle()
            .Which.Should().Be("StatisticsCacheOptions.Sessions: neither Table nor Sql is set; say where the rows live.");

    [Fact]
    public void MissingOptionalSourceIsFine()
    {
        var source = new VersionSourceOptions();

        source.IsConfigured.Should().BeFalse();
        SourceRelation.Validate(source, "Versions", required: false).Should().BeEmpty();
    }

    [Fact]
    public void BothTableAndSqlIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Table = "sessions", Sql = "SELECT 1" }, "Sessions", required: true)
            .Should().ContainSingle()
            .Which.Should().Be("Sessions: both Table and Sql are set; set exactly one.");

    [Fact]
    public void SqlWithASemicolonIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = "SELECT * FROM sessions; DROP TABLE sessions" }, "Sessions", required: true)
            .Should().ContainSingle()
            .Which.Should().Be("Sessions.Sql must be a single statement: it has a ';' at character 23 outside string literals and comments; remove it.");

    [Fact]
    public void SqlWithATrailingSemicolonIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = "SELECT * FROM sessions;" }, "Sessions", required: true)
            .Should().ContainSingle().Which.Should().StartWith("Sessions.Sql must be a single statement");

    [Theory]
    [InlineData("DELETE FROM sessions")]
    [InlineData("UPDATE sessions SET team_id = 1")]
    [InlineData("sessions")]
    [InlineData("(DELETE FROM sessions)")]
    [InlineData("/* SELECT */ TRUNCATE sessions")]
    public void SqlThatIsNotAQueryIsReported(string sql) =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = sql }, "Sessions", required: true)
            .Should().ContainSingle()
            .Which.Should().StartWith("Sessions.Sql must be a query starting with SELECT, WITH, TABLE or VALUES");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-- nothing but a comment")]
    public void EmptySqlIsReported(string sql) =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = sql }, "Sessions", required: true)
            .Should().ContainSingle().Which.Should().StartWith("Sessions.Sql is empty");

    [Fact]
    public void NonSelectWithSemicolonReportsTheFirstProblem() =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = "TRUNCATE sessions;" }, "Sessions", required: true)
            .Should().ContainSingle().Which.Should().StartWith("Sessions.Sql must be a query");

    [Fact]
    public void BadTableNameIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Table = "x; drop table sessions" }, "Sessions", required: true)
            .Should().ContainSingle()
            .Which.Should().Be("Sessions.Table 'x; drop table sessions' is not a plain identifier (letters, digits, '_' or '$', not starting with a digit).");

    [Fact]
    public void EmptyTableNameIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Table = "" }, "Sessions", required: true)
            .Should().ContainSingle().Which.Should().Be("Sessions.Table is empty.");

    [Fact]
    public void BadSchemaIsReported() =>
        SourceRelation.Validate(new SessionSourceOptions { Schema = "a\"b", Table = "sessions" }, "Sessions", required: true)
            .Should().ContainSingle().Which.Should().StartWith("Sessions.Schema 'a\"b' is not a plain identifier");

    [Fact]
    public void BadColumnNamesAreReportedPerRole()
    {
        var source = new SessionSourceOptions
        {
            Table = "sessions",
            TeamIdColumn = "team id",
            ParticipantIdColumn = new string('p', 64),
            CreatedAtColumn = "",
        };

        SourceRelation.Validate(source, "StatisticsCacheOptions.Sessions", required: true).Should().Equal(
            "StatisticsCacheOptions.Sessions column for team_id 'team id' is not a plain identifier (letters, digits, '_' or '$', not starting with a digit).",
            "StatisticsCacheOptions.Sessions column for participant_id is 64 characters long; PostgreSQL identifiers have at most 63.",
            "StatisticsCacheOptions.Sessions column for created_at is empty.");
    }

    [Fact]
    public void BadVersionColumnIsReportedEvenThoughVersionsAreOptional() =>
        SourceRelation.Validate(new VersionSourceOptions { Table = "versions", VersionColumn = "1version" }, "Versions", required: false)
            .Should().ContainSingle().Which.Should().StartWith("Versions column for version '1version'");

    [Fact]
    public void ColumnsAreNotCheckedForASqlSource() =>
        SourceRelation.Validate(new SessionSourceOptions { Sql = "SELECT * FROM s", TeamIdColumn = "not valid" }, "Sessions", required: true)
            .Should().BeEmpty("a SELECT must produce the canonical names itself; the column options do not apply");

    [Fact]
    public void TrailingLineCommentDoesNotSwallowTheParenthesis()
    {
        var sql = SourceRelation.ToSql(new SessionSourceOptions { Sql = "SELECT * FROM s -- humans only" });
        sql.Split('\n')[^1].Should().NotContain("--", sql);
    }
}
