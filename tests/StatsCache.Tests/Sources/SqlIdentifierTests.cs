using FluentAssertions;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

public class SqlIdentifierTests
{
    [Theory]
    [InlineData("sessions", "\"sessions\"")]
    [InlineData("chat_sessions", "\"chat_sessions\"")]
    [InlineData("_private", "\"_private\"")]
    [InlineData("Sessions", "\"Sessions\"")]
    [InlineData("team_id2", "\"team_id2\"")]
    [InlineData("price$", "\"price$\"")]
    [InlineData("x", "\"x\"")]
    public void ValidNamesAreQuotedVerbatim(string name, string quoted)
    {
        SqlIdentifier.IsValid(name).Should().BeTrue();
        SqlIdentifier.Problem(name).Should().BeNull();
        SqlIdentifier.Quote(name).Should().Be(quoted);
    }

    [Fact]
    public void SixtyThreeCharactersIsTheLimit()
    {
        var name = new string('a', 63);

        SqlIdentifier.IsValid(name).Should().BeTrue();
        SqlIdentifier.Quote(name).Should().Be("\"" + name + "\"");
    }

    [Fact]
    public void SixtyFourCharactersIsRejected()
    {
        var name = new string('a', 64);

        SqlIdentifier.IsValid(name).Should().BeFalse();
        SqlIdentifier.Problem(name).Should().Be("is 64 characters long; PostgreSQL identifiers have at most 63");
        FluentActions.Invoking(() => SqlIdentifier.Quote(name))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "name").WithMessage("*64 characters*63*");
    }

    [Theory]
    [InlineData("x; drop table sessions")]
    [InlineData("x;drop")]
    [InlineData("a\"b")]
    [InlineData("\"sessions\"")]
    [InlineData("1sessions")]
    [InlineData("9")]
    [InlineData("public.sessions")]
    [InlineData("team id")]
    [InlineData(" sessions")]
    [InlineData("sessions ")]
    [InlineData("sessions--")]
    [InlineData("sessions/*")]
    [InlineData("séance")]
    [InlineData("a-b")]
    [InlineData("a'b")]
    [InlineData("$1")]
    public void UnsafeNamesAreRejectedWithAReason(string name)
    {
        SqlIdentifier.IsValid(name).Should().BeFalse();
        SqlIdentifier.Problem(name).Should().Be($"'{name}' is not a plain identifier (letters, digits, '_' or '$', not starting with a digit)");
        FluentActions.Invoking(() => SqlIdentifier.Quote(name))
            .Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "name")
            .WithMessage("Identifier *is not a plain identifier*");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void EmptyNamesAreRejected(string? name)
    {
        SqlIdentifier.IsValid(name).Should().BeFalse();
        SqlIdentifier.Problem(name).Should().Be("is empty");
        FluentActions.Invoking(() => SqlIdentifier.Quote(name!))
            .Should().Throw<ArgumentException>().WithMessage("Identifier is empty*");
    }

    [Fact]
    public void QuoteQualifiedWithSchema() =>
        SqlIdentifier.QuoteQualified("app", "chat_sessions").Should().Be("\"app\".\"chat_sessions\"");

    [Fact]
    public void QuoteQualifiedWithoutSchema() =>
        SqlIdentifier.QuoteQualified(null, "chat_sessions").Should().Be("\"chat_sessions\"");

    [Fact]
    public void QuoteQualifiedRejectsABadSchema() =>
        FluentActions.Invoking(() => SqlIdentifier.QuoteQualified("app; drop", "chat_sessions"))
            .Should().Throw<ArgumentException>().WithMessage("*app; drop*");

    [Fact]
    public void QuoteQualifiedRejectsABadName() =>
        FluentActions.Invoking(() => SqlIdentifier.QuoteQualified("app", "a\"b"))
            .Should().Throw<ArgumentException>().WithMessage("*a\"b*");

    [Fact]
    public void QuoteQualifiedRejectsAnEmptySchema() =>
        FluentActions.Invoking(() => SqlIdentifier.QuoteQualified("", "chat_sessions"))
            .Should().Throw<ArgumentException>().WithMessage("*empty*");

    [Fact]
    public void TrailingNewlineIsRejected()
    {
        SqlIdentifier.IsValid("sessions\n").Should().BeFalse();
        FluentActions.Invoking(() => SqlIdentifier.Quote("sessions\n")).Should().Throw<ArgumentException>();
    }
}
