using System.Text;

namespace StatsCache.Sources;

/// <summary>
/// A small lexer for a host's <see cref="SourceOptions.Sql"/>: it tells code from what is not code
/// (string literals — standard, <c>E''</c> with backslash escapes, dollar-quoted —, quoted identifiers,
/// line and nested block comments), so a <c>;</c> or an <c>@name</c> is only a problem where PostgreSQL
/// and Npgsql would see one. The text is embedded verbatim as a sub-query of our statements, which carry
/// their own parameters: a host's <c>@team</c> would silently bind to ours in one statement and fail in
/// another, so parameters are refused, as are several statements and text that cannot end a sub-query.
/// </summary>
internal static class SqlText
{
    /// <summary>What a source's SQL may start with (after comments and opening parentheses).</summary>
    private static readonly string[] QueryStarts = ["SELECT", "WITH", "TABLE", "VALUES"];

    /// <summary>The kinds of token the lexer tells apart.</summary>
    internal enum TokenKind
    {
        /// <summary>Spaces, tabs, newlines.</summary>
        Whitespace,

        /// <summary><c>-- …</c> or <c>/* … */</c> (nested).</summary>
        Comment,

        /// <summary><c>'…'</c>, <c>E'…'</c>, <c>$tag$…$tag$</c>.</summary>
        String,

        /// <summary><c>"…"</c>.</summary>
        QuotedIdentifier,

        /// <summary>A keyword or plain identifier (letters, digits, <c>_</c>, <c>$</c>).</summary>
        Word,

        /// <summary>A number.</summary>
        Number,

        /// <summary>An Npgsql placeholder <c>@name</c> or a positional <c>$1</c>.</summary>
        Parameter,

        /// <summary>Any other single character: operators, punctuation.</summary>
        Symbol,
    }

    /// <summary>One token; <see cref="Unterminated"/> when the text ended inside it.</summary>
    internal readonly record struct Token(TokenKind Kind, int Start, int Length, bool Unterminated = false)
    {
        public string Text(string sql) => sql.Substring(Start, Length);
    }

    /// <summary>Why <paramref name="sql"/> cannot be a source sub-query, or null when it can.</summary>
    public static string? Problem(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = Tokenize(sql);
        if (tokens.FirstOrDefault(t => t.Unterminated) is { Length: > 0 } open)
        {
            return $"has an unterminated {Describe(open.Kind, sql, open)} starting at character {open.Start + 1}; close it";
        }

        var code = tokens.Where(t => t.Kind is not (TokenKind.Whitespace or TokenKind.Comment)).ToList();
        var first = code.FirstOrDefault(t => !(t.Kind == TokenKind.Symbol && sql[t.Start] == '('));
        if (code.Count == 0 || first.Length == 0)
        {
            return "is empty; give a SELECT (or WITH … SELECT, TABLE name, VALUES) query";
        }

        if (first.Kind != TokenKind.Word || !QueryStarts.Contains(first.Text(sql), StringComparer.OrdinalIgnoreCase))
        {
            return $"must be a query starting with SELECT, WITH, TABLE or VALUES (comments and parentheses before it are fine); it starts with '{Shorten(first.Text(sql))}'";
        }

        if (code.FirstOrDefault(t => t.Kind == TokenKind.Symbol && sql[t.Start] == ';') is { Length: > 0 } semicolon)
        {
            return $"must be a single statement: it has a ';' at character {semicolon.Start + 1} outside string literals and comments; remove it";
        }

        if (code.FirstOrDefault(t => t.Kind == TokenKind.Parameter) is { Length: > 0 } parameter)
        {
            return $"uses the parameter '{parameter.Text(sql)}' (character {parameter.Start + 1}); a source's SQL is embedded in the cache's statements, which bind parameters of their own, so it cannot have any: write the value into the SQL, or filter by team in a view";
        }

        var depth = 0;
        foreach (var token in code.Where(t => t.Kind == TokenKind.Symbol))
        {
            depth += sql[token.Start] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth < 0)
            {
                return $"has a ')' without its '(' at character {token.Start + 1}";
            }
        }

        return depth > 0 ? $"has {depth} '(' without a matching ')'" : null;
    }

    /// <summary>Splits <paramref name="sql"/> into tokens, covering every character exactly once.</summary>
    internal static IReadOnlyList<Token> Tokenize(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            var previous = i > 0 ? sql[i - 1] : '\0';
            Token token;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i]))
                {
                    i++;
                }

                token = new Token(TokenKind.Whitespace, start, i - start);
            }
            else if (c == '-' && next == '-')
            {
                var end = sql.IndexOfAny(['\n', '\r'], i);
                i = end < 0 ? sql.Length : end;
                token = new Token(TokenKind.Comment, start, i - start);
            }
            else if (c == '/' && next == '*')
            {
                token = BlockComment(sql, ref i);
            }
            else if ((c is 'E' or 'e') && next == '\'' && !IsIdentifierChar(previous))
            {
                i++;
                var literal = Quoted(sql, ref i, '\'', backslashEscapes: true, TokenKind.String);
                token = new Token(TokenKind.String, start, i - start, literal.Unterminated);
            }
            else if (c == '\'')
            {
                token = Quoted(sql, ref i, '\'', backslashEscapes: false, TokenKind.String);
            }
            else if (c == '"')
            {
                token = Quoted(sql, ref i, '"', backslashEscapes: false, TokenKind.QuotedIdentifier);
            }
            else if (c == '$' && !IsIdentifierChar(previous) && char.IsAsciiDigit(next))
            {
                i++;
                while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                {
                    i++;
                }

                token = new Token(TokenKind.Parameter, start, i - start);
            }
            else if (c == '$' && !IsIdentifierChar(previous) && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
                token = new Token(TokenKind.String, start, i - start, Unterminated: close < 0);
            }
            else if (c == '@' && previous != '@' && IsParameterNameChar(next))
            {
                // What Npgsql takes for a named placeholder: '@' not after another '@', then a name.
                i++;
                while (i < sql.Length && IsParameterNameChar(sql[i]))
                {
                    i++;
                }

                token = new Token(TokenKind.Parameter, start, i - start);
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_'))
                {
                    i++;
                }

                token = new Token(TokenKind.Number, start, i - start);
            }
            else if (IsIdentifierStart(c))
            {
                while (i < sql.Length && IsIdentifierChar(sql[i]))
                {
                    i++;
                }

                token = new Token(TokenKind.Word, start, i - start);
            }
            else
            {
                i++;
                token = new Token(TokenKind.Symbol, start, 1);
            }

            tokens.Add(token);
        }

        return tokens;
    }

    /// <summary>A block comment; PostgreSQL nests them.</summary>
    private static Token BlockComment(string sql, ref int i)
    {
        var start = i;
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return new Token(TokenKind.Comment, start, i - start);
                }
            }
            else
            {
                i++;
            }
        }

        return new Token(TokenKind.Comment, start, i - start, Unterminated: true);
    }

    /// <summary>A quoted string or identifier: a doubled quote is a quote; in E'' strings a backslash escapes the next character.</summary>
    private static Token Quoted(string sql, ref int i, char quote, bool backslashEscapes, TokenKind kind)
    {
        var start = i;
        i++; // the opening quote
        while (i < sql.Length)
        {
            var c = sql[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
            }
            else if (c == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    i++;
                    return new Token(kind, start, i - start);
                }
            }
            else
            {
                i++;
            }
        }

        i = sql.Length;
        return new Token(kind, start, i - start, Unterminated: true);
    }

    /// <summary>The opening <c>$tag$</c> (or <c>$$</c>) at <paramref name="i"/>, or null when it is not one.</summary>
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        if (j < sql.Length && sql[j] != '$' && !IsIdentifierStart(sql[j]))
        {
            return null;
        }

        while (j < sql.Length && sql[j] != '$')
        {
            if (!IsIdentifierStart(sql[j]) && !char.IsAsciiDigit(sql[j]))
            {
                return null;
            }

            j++;
        }

        return j < sql.Length ? sql.Substring(i, j - i + 1) : null;
    }

    private static string Describe(TokenKind kind, string sql, Token token) => kind switch
    {
        TokenKind.Comment => "block comment '/*'",
        TokenKind.QuotedIdentifier => "quoted identifier '\"'",
        _ when sql[token.Start] == '$' => "dollar-quoted string",
        _ => "string literal",
    };

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_' || c > 127;

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$' || c > 127;

    private static bool IsParameterNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '.';

    /// <summary>For diagnostics in tests: the tokens as "Kind:text" pairs.</summary>
    internal static string Dump(string sql)
    {
        var builder = new StringBuilder();
        foreach (var token in Tokenize(sql).Where(t => t.Kind != TokenKind.Whitespace))
        {
            builder.Append(token.Kind).Append(':').Append(token.Text(sql)).Append(token.Unterminated ? "…" : "").Append(' ');
        }

        return builder.ToString().TrimEnd();
    }
}
