using FluentAssertions;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

/// <summary>
/// <see cref="MeasureValidation"/>: the declared measures a host can use pass; every problem is refused with
/// a message that starts with the option it is about (<c>Measures[i]</c>, with the measure's name once it is
/// a valid one) and says what to do.
/// </summary>
public class MeasureValidationTests
{
    private static MeasureOptions Count(string name, string sql = "SELECT team_id, experiment_id, session_id, created_at FROM chat_messages WHERE NOT is_human")
    {
        var measure = new MeasureOptions { Name = name, Aggregate = MeasureAggregate.Count };
        measure.Source.Sql = sql;
        return measure;
    }

    private static MeasureOptions Sum(string name, string table = "chat_messages", string? valueColumn = "tokens")
    {
        var measure = new MeasureOptions { Name = name, Aggregate = MeasureAggregate.Sum };
        measure.Source.Table = table;
        measure.Source.ValueColumn = valueColumn;
        return measure;
    }

    [Fact]
    public void TheMeasuresOfTheTestHostAreValid() =>
        MeasureValidation.Problems([Count("bot_messages"), Sum("tokens_used")]).Should().BeEmpty();

    [Fact]
    public void NoMeasureIsValid() => MeasureValidation.Problems([]).Should().BeEmpty();

    [Theory]
    [InlineData("a")]
    [InlineData("_private")]
    [InlineData("tokens_used_2")]
    [InlineData("human_messages_by_bot")] // only the exact built-in names are reserved
    public void PlainLowerCaseNamesAreAccepted(string name) =>
        MeasureValidation.Problems([Count(name)]).Should().BeEmpty();

    [Fact]
    public void ANameOf63CharactersIsAcceptedAnd64AreNot()
    {
        MeasureValidation.Problems([Count(new string('m', 63))]).Should().BeEmpty();
        MeasureValidation.Problems([Count(new string('m', 64))]).Should().ContainSingle().Which.Should().StartWith("Measures[0].Name ");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bot_Messages")]
    [InlineData("bot-messages")]
    [InlineData("bot messages")]
    [InlineData("1st_measure")]
    [InlineData("tokens;drop")]
    [InlineData("\"tokens\"")]
    [InlineData("tökens")]
    public void ANameThatIsNotAPlainLowerCaseIdentifierIsRefused(string name)
    {
        var problem = MeasureValidation.Problems([Sum("tokens_used"), Count(name)]).Should().ContainSingle().Subject;

        problem.Should().StartWith("Measures[1].Name '" + name + "' is not a plain lower-case identifier").And.Contain("e.g. bot_messages");
    }

    [Theory]
    [InlineData("sessions")]
    [InlineData("session_count")]
    [InlineData("participants")]
    [InlineData("participant_count")]
    [InlineData("new_participant_count")]
    [InlineData("human_messages")]
    [InlineData("human_message_count")]
    [InlineData("last_activity")]
    [InlineData("versions")]
    public void TheNameOfABuiltInStatisticIsRefused(string name) =>
        MeasureValidation.Problems([Count(name)]).Should().ContainSingle()
            .Which.Should().StartWith($"Measures[0] ({name}).Name is the name of a built-in statistic").And.Contain($"{name}_extra");

    [Fact]
    public void ANameDeclaredTwiceIsRefusedAtItsSecondDeclaration() =>
        MeasureValidation.Problems([Count("bot_messages"), Sum("tokens_used"), Sum("bot_messages")]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[2] (bot_messages).Name is declared twice");

    [Fact]
    public void AnAggregateThatIsNotOneOfTheEnumIsRefused()
    {
        var measure = Count("bot_messages");
        measure.Aggregate = (MeasureAggregate)7;

        MeasureValidation.Problems([measure]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[0] (bot_messages).Aggregate 7 is not a MeasureAggregate").And.Contain("Count or Sum");
    }

    [Fact]
    public void AMeasureWithoutASourceIsRefused() =>
        MeasureValidation.Problems([new MeasureOptions { Name = "bot_messages" }]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[0] (bot_messages).Source: neither Table nor Sql is set");

    [Fact]
    public void ASourceWithBothTableAndSqlIsRefused()
    {
        var measure = Count("bot_messages");
        measure.Source.Table = "chat_messages";

        MeasureValidation.Problems([measure]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[0] (bot_messages).Source: both Table and Sql are set");
    }

    [Theory]
    [InlineData("DELETE FROM chat_messages")]
    [InlineData("SELECT * FROM chat_messages; DROP TABLE chat_messages")]
    [InlineData("SELECT * FROM chat_messages WHERE team_id = @team")]
    public void ASqlSourceThatCannotBeASubQueryIsRefused(string sql) =>
        MeasureValidation.Problems([Count("bot_messages", sql)]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[0] (bot_messages).Source.Sql ");

    [Fact]
    public void TableSchemaAndColumnNamesMustBePlainIdentifiers()
    {
        var table = Sum("tokens_used", table: "chat messages");
        var schema = Sum("tokens_b");
        schema.Source.Schema = "1app";
        var value = Sum("tokens_c", valueColumn: "tokens; --");
        var created = Sum("tokens_d");
        created.Source.CreatedAtColumn = "created at";
        var team = Sum("tokens_e");
        team.Source.TeamIdColumn = "";

        var problems = MeasureValidation.Problems([table, schema, value, created, team]).ToList();

        problems.Should().HaveCount(5);
        problems[0].Should().StartWith("Measures[0] (tokens_used).Source.Table ");
        problems[1].Should().StartWith("Measures[1] (tokens_b).Source.Schema ");
        problems[2].Should().StartWith("Measures[2] (tokens_c).Source column for value ");
        problems[3].Should().StartWith("Measures[3] (tokens_d).Source column for created_at ");
        problems[4].Should().StartWith("Measures[4] (tokens_e).Source column for team_id ");
    }

    [Fact]
    public void ASumOverATableNeedsItsValueColumn() =>
        MeasureValidation.Problems([Sum("tokens_used", valueColumn: null)]).Should().ContainSingle()
            .Which.Should().StartWith("Measures[0] (tokens_used).Source.ValueColumn is not set").And.Contain("e.g. tokens");

    [Fact]
    public void ASumOverASelectReturnsItsValueAndNeedsNoValueColumn()
    {
        var measure = new MeasureOptions { Name = "tokens_used", Aggregate = MeasureAggregate.Sum };
        measure.Source.Sql = "SELECT team_id, experiment_id, session_id, created_at, tokens AS value FROM chat_messages";

        MeasureValidation.Problems([measure]).Should().BeEmpty();
    }

    [Fact]
    public void ACountOverATableNeedsNoValueColumn()
    {
        var measure = new MeasureOptions { Name = "messages", Aggregate = MeasureAggregate.Count };
        measure.Source.Table = "chat_messages";

        MeasureValidation.Problems([measure]).Should().BeEmpty();
    }

    [Fact]
    public void EveryProblemOfEveryMeasureIsReportedAtOnce()
    {
        var nameless = new MeasureOptions { Name = "Bad Name", Aggregate = (MeasureAggregate)9 };
        var problems = MeasureValidation.Problems([nameless, Sum("versions", valueColumn: null)]).ToList();

        problems.Should().HaveCount(5);
        problems.Should().Contain(p => p.StartsWith("Measures[0].Name 'Bad Name'", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Measures[0].Aggregate 9", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Measures[0].Source: neither Table nor Sql", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Measures[1] (versions).Name is the name of a built-in statistic", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Measures[1] (versions).Source.ValueColumn is not set", StringComparison.Ordinal));
    }
}
