using Antlr4.Runtime;
using Antlr4.Runtime.Misc;
using Tts.Language.Binding;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Generated;
using Tts.Language.Text;

namespace Tts.Language.Syntax.Parsing;

/// <summary>
/// Turns ANTLR's syntax errors into curated, coded diagnostics: it names what was found, what was
/// expected in words a user knows, and where in the program the parser was. ANTLR's raw text is never shown.
/// </summary>
internal sealed class SyntaxErrorListener : BaseErrorListener
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;
    private int _lastErrorLine = -1;

    public SyntaxErrorListener(SourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    public override void SyntaxError(
        TextWriter output,
        IRecognizer recognizer,
        IToken offendingSymbol,
        int line,
        int charPositionInLine,
        string msg,
        RecognitionException e)
    {
        var location = LocationOf(offendingSymbol);

        switch (offendingSymbol.Type)
        {
            // Lexer-level problems surface as tokens; report them precisely and only once.
            case TtsLexer.UNEXPECTED_CHARACTER:
                _diagnostics.Report(DiagnosticDescriptors.UnexpectedCharacter, location, Printable(offendingSymbol.Text));
                return;
            case TtsLexer.UNTERMINATED_STRING:
                _diagnostics.Report(DiagnosticDescriptors.UnterminatedString, location);
                return;
        }

        // One curated error per line: later errors on the same line are almost always echoes of the first.
        if (line == _lastErrorLine)
        {
            return;
        }

        _lastErrorLine = line;
        var parser = (Parser)recognizer;
        var expected = SafeExpectedTokens(parser);
        var message = $"unexpected {Describe(offendingSymbol)}{ContextPhrase(parser.Context)}; expected {DescribeExpected(expected, parser.Context)}"
            + KeywordSuggestion(offendingSymbol, expected);
        _diagnostics.Report(DiagnosticDescriptors.UnexpectedToken, location, message);
    }

    /// <summary>A name one or two edits from a keyword that fits here (<c>populaton</c>) is most likely that keyword misspelled.</summary>
    private static string KeywordSuggestion(IToken token, IntervalSet expected)
    {
        if (token.Type != TtsLexer.IDENTIFIER || token.Text.Length < 3)
        {
            return "";
        }

        var keyword = expected.ToList()
            .Select(type => TtsLexer.DefaultVocabulary.GetLiteralName(type)?.Trim('\''))
            .Where(word => word is { Length: >= 3 } && word.All(char.IsLetter))
            .Select(word => (Word: word!, Distance: EditDistance.Between(token.Text, word!)))
            .Where(candidate => candidate.Distance <= Math.Min(2, candidate.Word.Length / 3))
            .OrderBy(candidate => candidate.Distance)
            .ThenBy(candidate => candidate.Word, StringComparer.Ordinal)
            .Select(candidate => candidate.Word)
            .FirstOrDefault();
        return keyword is null ? "" : $": did you mean `{keyword}`?";
    }

    private Location LocationOf(IToken token)
    {
        if (token.Type == TokenConstants.EOF || token.StartIndex < 0)
        {
            var end = _source.Text.Length;
            return _source.GetLocation(new TextSpan(end, 0));
        }

        return _source.GetLocation(TextSpan.FromBounds(token.StartIndex, token.StopIndex + 1));
    }

    private static IntervalSet SafeExpectedTokens(Parser parser)
    {
        try
        {
            return parser.GetExpectedTokens();
        }
        catch (ArgumentException)
        {
            // The ATN state can be out of sync after recovery; fall back to "something else".
            return new IntervalSet();
        }
    }

    private static string Describe(IToken token) => token.Type switch
    {
        TokenConstants.EOF => "end of file",
        TtsLexer.IDENTIFIER => $"name '{token.Text}'",
        TtsLexer.INT or TtsLexer.REAL => $"number {token.Text}",
        TtsLexer.STRING => $"string {token.Text}",
        _ => $"'{token.Text}'",
    };

    private static string ContextPhrase(ParserRuleContext? context)
    {
        for (var c = context; c != null; c = c.Parent as ParserRuleContext)
        {
            switch (c)
            {
                case TtsParser.CallPrimaryContext { callee: { } callee }:
                    return $" in the call to {callee.GetText()}";
                case TtsParser.LoopOptionsContext or TtsParser.LoopOptionContext:
                    return " in the `with` options";
                case TtsParser.StatementContext statement:
                    return $" in {StatementPhrase(statement)}";
                case TtsParser.StrategyClauseContext or TtsParser.BudgetLimitContext:
                    return " in a strategy clause (`claims` or `budget`)";
            }

            switch (c.RuleIndex)
            {
                case TtsParser.RULE_argumentList:
                case TtsParser.RULE_argument:
                    return " in the argument list";
                case TtsParser.RULE_parameterList:
                case TtsParser.RULE_parameter:
                    return " in the parameter list";
                case TtsParser.RULE_populationSource:
                    return " in a population statement";
                case TtsParser.RULE_block:
                    return " in the strategy body";
                case TtsParser.RULE_strategyDeclaration:
                    return " in the strategy header";
                case TtsParser.RULE_modelDeclaration:
                    return " in a model declaration";
                case TtsParser.RULE_functionDeclaration:
                    return " in a reward, verifier or extractor declaration";
                case TtsParser.RULE_compilationUnit:
                    return " at the top level";
            }
        }

        return "";
    }

    private static string StatementPhrase(TtsParser.StatementContext statement) => statement switch
    {
        TtsParser.LetStatementContext => "a let statement",
        TtsParser.PopulationStatementContext => "a population statement",
        TtsParser.SmcStatementContext => "an smc block",
        TtsParser.SearchStatementContext => "a search block",
        TtsParser.ExtendStatementContext => "an extend statement",
        TtsParser.ReextendStatementContext => "a reextend statement",
        TtsParser.ForkStatementContext => "a fork block",
        TtsParser.RefineStatementContext => "a refine statement",
        TtsParser.ReturnStatementContext => "a return statement",
        _ => $"{("aeiou".IndexOf(statement.Start.Text[0]) >= 0 ? "an" : "a")} {statement.Start.Text} statement",
    };

    private static string DescribeExpected(IntervalSet expected, ParserRuleContext? context)
    {
        // Where the grammar fixes what comes next, say it even when ANTLR's recovery leaves an empty or partial set.
        switch (context)
        {
            case TtsParser.BudgetLimitContext:
                return "'<=' and the limit (`tokens <= 4096 * n`)";
            // ANTLR assigns the operator label before matching it, so a wrong token stands there during the error.
            case TtsParser.LoopOptionContext option when option.@operator?.Type is not (TtsLexer.ASSIGN or TtsLexer.LESS or TtsLexer.LESSEQ):
                return "'=', '<' or '<=', as the option needs (`resample = systematic`, `ess < 0.5`, `steps <= 40`)";
        }

        var types = expected.ToList();
        if (types.Count == 0)
        {
            return "something else here";
        }

        var words = new List<string>();
        var startsExpression = types.Contains(TtsLexer.INT) && types.Contains(TtsLexer.STRING) && types.Contains(TtsLexer.IDENTIFIER);
        if (startsExpression)
        {
            words.Add("an expression");
        }

        var statementStarts = types.Contains(TtsLexer.POPULATION) && types.Contains(TtsLexer.RETURN);
        if (statementStarts)
        {
            words.Add("a statement (`let`, `population`, `smc`, `search`, `extend`, `reextend`, `factor`, `observe`, `condition`, `twist`, `score`, `fork`, `refine` or `return`)");
        }

        var declarationStarts = types.Contains(TtsLexer.MODEL) && types.Contains(TtsLexer.STRATEGY);
        if (declarationStarts)
        {
            words.Add("a declaration (`model`, `reward`, `verifier`, `extractor` or `strategy`)");
        }

        foreach (var type in types)
        {
            if (startsExpression && IsExpressionStart(type))
            {
                continue;
            }

            if (statementStarts && IsStatementStart(type))
            {
                continue;
            }

            if (declarationStarts && type is TtsLexer.MODEL or TtsLexer.STRATEGY or TtsLexer.REWARD or TtsLexer.VERIFIER or TtsLexer.EXTRACTOR)
            {
                continue;
            }

            // Binary operators are always possible after an expression; listing them is noise.
            if (IsBinaryOperator(type))
            {
                continue;
            }

            // `population` is one of the types the type phrase already lists.
            if (type == TtsLexer.POPULATION && context?.RuleIndex == TtsParser.RULE_typeReference)
            {
                continue;
            }

            // A soft keyword is "a name" only where a name may stand; where only the keyword fits, name it.
            words.Add(IsName(type) && type != TtsLexer.IDENTIFIER && !types.Contains(TtsLexer.IDENTIFIER)
                ? $"`{TtsLexer.DefaultVocabulary.GetLiteralName(type)?.Trim('\'')}`"
                : DescribeTokenType(type, context));
        }

        return JoinAlternatives(words.Distinct().ToList());
    }

    private static bool IsExpressionStart(int type) => type is TtsLexer.INT or TtsLexer.REAL or TtsLexer.STRING
        or TtsLexer.TRUE or TtsLexer.FALSE or TtsLexer.SAMPLE or TtsLexer.LPAREN
        or TtsLexer.LBRACKET or TtsLexer.MINUS or TtsLexer.NOT || IsName(type);

    private static bool IsName(int type) => type is TtsLexer.IDENTIFIER or TtsLexer.BY or TtsLexer.WITH or TtsLexer.FIRST
        or TtsLexer.SCORE or TtsLexer.TWIST or TtsLexer.WHERE;

    private static bool IsStatementStart(int type) => type is TtsLexer.LET or TtsLexer.POPULATION or TtsLexer.SMC
        or TtsLexer.SEARCH or TtsLexer.EXTEND or TtsLexer.REEXTEND or TtsLexer.FACTOR or TtsLexer.OBSERVE or TtsLexer.CONDITION or TtsLexer.TWIST
        or TtsLexer.SCORE or TtsLexer.FORK or TtsLexer.REFINE or TtsLexer.RETURN;

    private static bool IsBinaryOperator(int type) => type is TtsLexer.PLUS or TtsLexer.MINUS or TtsLexer.STAR
        or TtsLexer.SLASH or TtsLexer.PERCENT or TtsLexer.EQEQ or TtsLexer.NOTEQ or TtsLexer.LESS or TtsLexer.LESSEQ
        or TtsLexer.GREATER or TtsLexer.GREATEREQ or TtsLexer.AND or TtsLexer.OR;

    private static string DescribeTokenType(int type, ParserRuleContext? context) => type switch
    {
        TokenConstants.EOF => "end of file",
        _ when IsName(type) && context?.RuleIndex == TtsParser.RULE_typeReference => "a type (text, int, real, bool, population, LogWeight, Score, Prob)",
        _ when IsName(type) => "a name",
        TtsLexer.INT => "a whole number",
        TtsLexer.REAL => "a number",
        TtsLexer.STRING => "a string",
        TtsLexer.RPAREN => "')'",
        TtsLexer.RBRACE => "'}'",
        TtsLexer.RBRACKET => "']'",
        _ => TtsLexer.DefaultVocabulary.GetLiteralName(type) ?? TtsLexer.DefaultVocabulary.GetDisplayName(type),
    };

    private static string JoinAlternatives(IReadOnlyList<string> words) => words.Count switch
    {
        0 => "something else here",
        1 => words[0],
        _ => string.Join(", ", words.Take(words.Count - 1)) + " or " + words[words.Count - 1],
    };

    private static string Printable(string text) => text switch
    {
        "\t" => "\\t",
        _ when text.Length == 1 && char.IsControl(text[0]) => $"\\u{(int)text[0]:x4}",
        _ => text,
    };
}
