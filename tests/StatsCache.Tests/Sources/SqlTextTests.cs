using FluentAssertions;
using StatsCache.Sources;

namespace StatsCache.Tests.Sources;

/// <summary>
/// The lexer behind <see cref="SourceOptions.Sql"/> validation: valid queries that a plain text search
/// refused are accepted, and what cannot work as an embedded sub-query is refused with a reason.
/// </summary>
public class SqlTextTests
{
    [Theory]
    [InlineData("SELECT team_id, experiment_id, session_id, created_at FROM m WHERE note = 'a;b'")]
    [InlineData("SELECT * FROM m WHERE note <> 'it''s; fine'")]
    [InlineData("SELECT * FROM m WHERE note = E'it\\'s; \\\\ fine'")]
    [InlineData("SELECT * FROM m WHERE note = e'\\''")]
    [InlineData("SELECT * FROM m WHERE note = $$a;b @team$$")]
    [InlineData("SELECT * FROM m WHERE note = $tag$ a $$ ; @team $tag$")]
    [InlineData("SELECT * FROM m -- humans only; @team\n WHERE is_human")]
    [InlineData("SELECT * FROM m /* ; @team /* nested; */ still a comment */ WHERE is_human")]
    [InlineData("-- leading comment\nSELECT * FROM m")]
    [InlineData("/* leading */ SELECT * FROM m")]
    [InlineData("(SELECT * FROM m)")]
    [InlineData("((SELECT * FROM a) UNION ALL (SELECT * FROM b))")]
    [InlineData("TABLE human_messages")]
    [InlineData("table app.human_messages")]
    [InlineData("VALUES (1, 2, 3, now())")]
    [InlineData("WITH h AS (SELECT * FROM m) SELECT * FROM h")]
    [InlineData("SELECT \"weird;@name\" AS team_id FROM \"m\"\"x\"")]
    [InlineData("SELECT * FROM m WHERE tags @> ARRAY['human'] AND doc @@ to_tsquery('x') AND @ -1 = 1")]
    [InlineData("SELECT * FROM m WHERE a @@to_tsquery('x')")]
    [InlineData("SELECT created_at::timestamptz, a[1:2] FROM m")]
    [InlineData("SELECT price$ FROM m")]
    [InlineData("SELECT * FROM m -- trailing comment without newline")]
    [InlineData("SELECT U&'d\\0061t;a' FROM m")]
    public void ValidQueriesAreAccepted(string sql)
    {
        SqlText.Problem(sql).Should().BeNull(SqlText.Dump(sql));
        SourceRelation.Validate(new HumanMessageSourceOptions { Sql = sql }, "HumanMessages", required: true).Should().BeEmpty();
    }

    [Theory]
    [InlineData("SELECT * FROM m /* trailing", "unterminated block comment '/*' starting at character 17")]
    [InlineData("SELECT * FROM m /* a /* nested */", "unterminated block comment")]
    [InlineData("SELECT * FROM m WHERE note = 'open", "unterminated string literal starting at character 30")]
    [InlineData("SELECT * FROM m WHERE note = E'open\\'", "unterminated string literal")]
    [InlineData("SELECT * FROM m WHERE note = $x$ open", "unterminated dollar-quoted string")]
    [InlineData("SELECT \"open FROM m", "unterminated quoted identifier")]
    [InlineData("SELECT * FROM m WHERE team_id = @team", "uses the parameter '@team' (character 33)")]
    [InlineData("SELECT * FROM m WHERE team_id=@team_id", "parameter '@team_id'")]
    [InlineData("SELECT * FROM m WHERE team_id = $1", "parameter '$1'")]
    [InlineData("SELECT 1; SELECT 2", "single statement: it has a ';' at character 9")]
    [InlineData("SELECT 1 /* ok */ ; -- trailing", "single statement")]
    [InlineData("DELETE FROM m", "starts with 'DELETE'")]
    [InlineData("(UPDATE m SET a = 1)", "starts with 'UPDATE'")]
    [InlineData("m", "starts with 'm'")]
    [InlineData("", "is empty")]
    [InlineData("/* only */ -- comments", "is empty")]
    [InlineData("SELECT * FROM m) UNION (SELECT * FROM secrets", "')' without its '(' at character 16")]
    [InlineData("SELECT * FROM (m", "1 '(' without a matching ')'")]
    public void WhatCannotWorkIsRefusedWithAReason(string sql, string reason) =>
        SqlText.Problem(sql).Should().Contain(reason, SqlText.Dump(sql));

    [Fact]
    public void TokensCoverTheTextExactlyOnce()
    {
        const string sql = "SELECT E'a\\'b', $q$x$q$, \"i\"\"d\", 'c''d' /* x /* y */ */ -- z\n FROM t WHERE a @> b AND c = @p AND d = $2";

        var tokens = SqlText.Tokenize(sql);

        string.Concat(tokens.Select(t => t.Text(sql))).Should().Be(sql);
        tokens.Zip(tokens.Skip(1)).Should().OnlyContain(p => p.First.Start + p.First.Length == p.Second.Start);
        tokens.Where(t => t.Kind == SqlText.TokenKind.String).Select(t => t.Text(sql)).Should().Equal("E'a\\'b'", "$q$x$q$", "'c''d'");
        tokens.Where(t => t.Kind == SqlText.TokenKind.QuotedIdentifier).Select(t => t.Text(sql)).Should().Equal("\"i\"\"d\"");
        tokens.Where(t => t.Kind == SqlText.TokenKind.Comment).Select(t => t.Text(sql)).Should().Equal("/* x /* y */ */", "-- z");
        tokens.Where(t => t.Kind == SqlText.TokenKind.Parameter).Select(t => t.Text(sql)).Should().Equal("@p", "$2");
    }

    [Fact]
    public void AnEBeforeAQuoteInsideAWordIsNotAnEscapeString()
    {
        // "some'…'" is the word "some" followed by a standard string, where a backslash escapes nothing.
        const string sql = "SELECT * FROM m WHERE a = some'\\' AND b = 1";

        SqlText.Tokenize(sql).Where(t => t.Kind == SqlText.TokenKind.String).Select(t => t.Text(sql)).Should().Equal("'\\'");
    }

    [Fact]
    public void ADollarInsideAnIdentifierStartsNoQuote() =>
        SqlText.Tokenize("SELECT a$b$c FROM t").Where(t => t.Kind == SqlText.TokenKind.String).Should().BeEmpty();

    [Fact]
    public void ASourceNamesItselfInTheMessage() =>
        SourceRelation.Validate(new HumanMessageSourceOptions { Sql = "SELECT * FROM m WHERE team_id = @team" }, "StatisticsCacheOptions.HumanMessages", required: true)
            .Should().ContainSingle().Which.Should().StartWith("StatisticsCacheOptions.HumanMessages.Sql uses the parameter '@team'");

    [Fact]
    public void ATrailingBlockCommentIsRefusedBeforeItCanSwallowOurSql() =>
        SourceRelation.Validate(new HumanMessageSourceOptions { Sql = "SELECT * FROM m /* humans only" }, "HumanMessages", required: true)
            .Should().ContainSingle().Which.Should().Contain("unterminated block comment");
}
