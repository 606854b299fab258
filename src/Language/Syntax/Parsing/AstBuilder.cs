using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Generated;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using static Tts.Language.Syntax.Generated.TtsParser;
using Tts.Semantics;

namespace Tts.Language.Syntax.Parsing;

/// <summary>
/// Builds the immutable AST from ANTLR's parse tree. The parse tree may be partial after a syntax error
/// (missing children, conjured tokens); every such hole becomes a missing node, never an exception.
/// </summary>
internal sealed class AstBuilder
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;

    public AstBuilder(SourceText source, DiagnosticBag diagnostics)
    {
        _source = source;
        _diagnostics = diagnostics;
    }

    public CompilationUnitSyntax Build(CompilationUnitContext context)
    {
        var declarations = ImmutableArray.CreateBuilder<DeclarationSyntax>();
        foreach (var declaration in context.declaration())
        {
            if (declaration.modelDeclaration() is { } model)
            {
                declarations.Add(new ModelDeclarationSyntax(
                    Identifier(model.name, model),
                    model.kind is null ? null : Identifier(model.kind, model),
                    SpanOf(model)));
            }
            else if (declaration.functionDeclaration() is { } function)
            {
                declarations.Add(BuildFunction(function));
            }
            else if (declaration.strategyDeclaration() is { } strategy)
            {
                declarations.Add(BuildStrategy(strategy));
            }
        }

        return new CompilationUnitSyntax(declarations.ToImmutable(), new TextSpan(0, _source.Text.Length));
    }

    private FunctionDeclarationSyntax BuildFunction(FunctionDeclarationContext context)
    {
        var kind = context.kind?.Type switch
        {
            TtsLexer.VERIFIER => FunctionKind.Verifier,
            TtsLexer.EXTRACTOR => FunctionKind.Extractor,
            _ => FunctionKind.Reward,
        };
        var type = context.typeReference() is { } typeContext ? BuildType(typeContext, context) : null;
        return new FunctionDeclarationSyntax(kind, Identifier(context.name, context), type, SpanOf(context));
    }

    private StrategyDeclarationSyntax BuildStrategy(StrategyDeclarationContext context)
    {
        var parameters = context.parameterList()?.parameter().Select(BuildParameter).ToImmutableArray()
                         ?? ImmutableArray<ParameterSyntax>.Empty;
        var returnType = BuildType(context.returnType, context);
        var clauses = context.strategyClause().Select(BuildClause).ToImmutableArray();
        var body = context.block() is { } block
            ? BuildBlock(block)
            : new BlockSyntax(ImmutableArray<StatementSyntax>.Empty, EndOf(context));
        return new StrategyDeclarationSyntax(Identifier(context.name, context), parameters, returnType, clauses, body, SpanOf(context));
    }

    private StrategyClauseSyntax BuildClause(StrategyClauseContext context) => context switch
    {
        ClaimsClauseContext claims => new ClaimsClauseSyntax(Identifier(claims.guarantee, claims), SpanOf(claims)),
        BudgetClauseContext budget => new BudgetClauseSyntax(
            budget.budgetLimit().Select(l => new BudgetLimitSyntax(Identifier(l.resource, l), BuildExpression(l.expression()), SpanOf(l))).ToImmutableArray(),
            SpanOf(budget)),
        _ => new BudgetClauseSyntax(ImmutableArray<BudgetLimitSyntax>.Empty, SpanOf(context)),
    };

    private ParameterSyntax BuildParameter(ParameterContext context) =>
        new(Identifier(context.name, context),
            BuildType(context.typeReference(), context),
            context.defaultValue is null ? null : BuildExpression(context.defaultValue),
            SpanOf(context));

    private TypeReferenceSyntax BuildType(TypeReferenceContext? context, ParserRuleContext parent)
    {
        if (context is null)
        {
            var span = EndOf(parent);
            return new TypeReferenceSyntax(new IdentifierSyntax("", span), span);
        }

        var name = context.POPULATION() is { } population
            ? Identifier(population.Symbol, context)
            : Identifier(context.identifier(), context);
        return new TypeReferenceSyntax(name, SpanOf(context));
    }

    private BlockSyntax BuildBlock(BlockContext context)
    {
        var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
        foreach (var statement in context.statement())
        {
            if (BuildStatement(statement) is { } built)
            {
                statements.Add(built);
            }
        }

        return new BlockSyntax(statements.ToImmutable(), SpanOf(context));
    }

    private BlockSyntax BuildBlockOrEmpty(BlockContext? context, ParserRuleContext parent) =>
        context is null ? new BlockSyntax(ImmutableArray<StatementSyntax>.Empty, EndOf(parent)) : BuildBlock(context);

    private StatementSyntax? BuildStatement(StatementContext context)
    {
        var span = SpanOf(context);
        switch (context)
        {
            case LetStatementContext let:
                return new LetStatementSyntax(Identifier(let.name, let), BuildExpression(let.expression()), span);
            case PopulationStatementContext population:
                return new PopulationStatementSyntax(Identifier(population.name, population), BuildSource(population.populationSource(), population), span);
            case SmcStatementContext smc:
                return new SmcStatementSyntax(Identifier(smc.target, smc), BuildLoopOptions(smc.loopOptions()), BuildBlockOrEmpty(smc.block(), smc), span);
            case SearchStatementContext search:
                return new SearchStatementSyntax(Identifier(search.target, search), BuildLoopOptions(search.loopOptions()), BuildBlockOrEmpty(search.block(), search), span);
            case ExtendStatementContext extend:
                return new ExtendStatementSyntax(Identifier(extend.target, extend), Identifier(extend.model, extend), BuildArguments(extend.argumentList()), span);
            case ReextendStatementContext reextend:
                return new ReextendStatementSyntax(
                    Identifier(reextend.target, reextend), BuildExpression(reextend.condition), Identifier(reextend.model, reextend), BuildArguments(reextend.argumentList()), span);
            case FactorStatementContext factor:
                return new ParticleUpdateSyntax(ParticleUpdateKind.Factor, Identifier(factor.target, factor), BuildExpression(factor.expression()), span);
            case ObserveStatementContext observe:
                return new ParticleUpdateSyntax(ParticleUpdateKind.Observe, Identifier(observe.target, observe), BuildExpression(observe.expression()), span);
            case ConditionStatementContext condition:
                return new ParticleUpdateSyntax(ParticleUpdateKind.Condition, Identifier(condition.target, condition), BuildExpression(condition.expression()), span);
            case TwistStatementContext twist:
                return new ParticleUpdateSyntax(ParticleUpdateKind.Twist, Identifier(twist.target, twist), BuildExpression(twist.expression()), span);
            case ScoreStatementContext score:
                return new ParticleUpdateSyntax(ParticleUpdateKind.Score, Identifier(score.target, score), BuildExpression(score.expression()), span);
            case ForkStatementContext fork:
                return new ForkStatementSyntax(BuildBlockOrEmpty(fork.block(), fork), span);
            case RefineStatementContext refine:
                return new RefineStatementSyntax(
                    Identifier(refine.name, refine), BuildExpression(refine.initial), BuildExpression(refine.step), BuildLoopOptions(refine.loopOptions()), span);
            case ReturnStatementContext ret:
                return new ReturnStatementSyntax(BuildExpression(ret.expression()), span);
            default:
                return null;
        }
    }

    private PopulationSourceSyntax BuildSource(PopulationSourceContext? context, ParserRuleContext parent) => context switch
    {
        SampleSourceContext sample => new SampleSourceSyntax(Identifier(sample.model, sample), BuildArguments(sample.argumentList()), SpanOf(sample)),
        RaceSourceContext race => new RaceSourceSyntax(Identifier(race.model, race), BuildArguments(race.argumentList()), BuildExpression(race.count), SpanOf(race)),
        ExpressionSourceContext expression => new ExpressionSourceSyntax(BuildExpression(expression.expression()), SpanOf(expression)),
        _ => new ExpressionSourceSyntax(new MissingExpressionSyntax(EndOf(parent)), EndOf(parent)),
    };

    private ImmutableArray<LoopOptionSyntax> BuildLoopOptions(LoopOptionsContext? context)
    {
        if (context is null)
        {
            return ImmutableArray<LoopOptionSyntax>.Empty;
        }

        // The grammar lets a comma be missing between options; say so precisely instead of failing the block.
        for (var i = 1; i < context.ChildCount; i++)
        {
            if (context.GetChild(i) is LoopOptionContext option && context.GetChild(i - 1) is LoopOptionContext)
            {
                _diagnostics.Report(DiagnosticDescriptors.UnexpectedToken, _source.GetLocation(new TextSpan(option.Start.StartIndex, 0)),
                    $"missing ',' before the `with` option '{option.Start.Text}'");
            }
        }

        return context.loopOption()
            .Select(o => new LoopOptionSyntax(Identifier(o.name, o), o.@operator is { Type: TtsLexer.ASSIGN or TtsLexer.LESS or TtsLexer.LESSEQ } op && !IsMissing(op) ? op.Text : "", BuildExpression(o.expression()), SpanOf(o)))
            .ToImmutableArray();
    }

    private ImmutableArray<ArgumentSyntax> BuildArguments(ArgumentListContext? context)
    {
        if (context is null)
        {
            return ImmutableArray<ArgumentSyntax>.Empty;
        }

        return context.argument()
            .Select(a => new ArgumentSyntax(
                a.name is null ? null : Identifier(a.name, a),
                BuildExpression(a.expression()),
                SpanOf(a)))
            .ToImmutableArray();
    }

    private ExpressionSyntax BuildExpression(ExpressionContext? context)
    {
        switch (context)
        {
            case PrimaryExpressionContext primary:
                return BuildPrimary(primary.primary(), primary);
            case UnaryExpressionContext unary:
                return new UnaryExpressionSyntax(unary.@operator?.Text ?? "", BuildExpression(unary.expression()), SpanOf(unary));
            case BinaryExpressionContext binary:
                var operands = binary.expression();
                return new BinaryExpressionSyntax(
                    BuildExpression(operands.Length > 0 ? operands[0] : null),
                    binary.@operator?.Text ?? "",
                    BuildExpression(operands.Length > 1 ? operands[1] : null),
                    SpanOf(binary));
            case null:
                return new MissingExpressionSyntax(new TextSpan(0, 0));
            default:
                return new MissingExpressionSyntax(SpanOf(context));
        }
    }

    private ExpressionSyntax BuildPrimary(PrimaryContext? context, ParserRuleContext parent)
    {
        switch (context)
        {
            case LiteralPrimaryContext literal:
                return BuildLiteral(literal.literal());
            case CallPrimaryContext call:
                return new CallExpressionSyntax(Identifier(call.callee, call), BuildArguments(call.argumentList()), SpanOf(call));
            case NamePrimaryContext name:
                return new NameExpressionSyntax(Identifier(name.identifier(), name), SpanOf(name));
            case ParenthesizedPrimaryContext parenthesized:
                return BuildExpression(parenthesized.expression());
            case ListPrimaryContext list:
                return new ListExpressionSyntax(list.expression().Select(BuildExpression).ToImmutableArray(), SpanOf(list));
            default:
                return new MissingExpressionSyntax(context is null ? EndOf(parent) : SpanOf(context));
        }
    }

    private ExpressionSyntax BuildLiteral(LiteralContext context)
    {
        var span = SpanOf(context);
        var token = context.Start;
        if (IsMissing(token))
        {
            return new MissingExpressionSyntax(span);
        }

        switch (token.Type)
        {
            case TtsLexer.INT:
                if (long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
                {
                    return new LiteralExpressionSyntax(LiteralKind.Int, integer, span);
                }

                _diagnostics.Report(DiagnosticDescriptors.NumberOutOfRange, _source.GetLocation(span), token.Text, "64-bit int");
                return new MissingExpressionSyntax(span);
            case TtsLexer.REAL:
                var real = double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (double.IsInfinity(real))
                {
                    _diagnostics.Report(DiagnosticDescriptors.NumberOutOfRange, _source.GetLocation(span), token.Text, "real");
                    return new MissingExpressionSyntax(span);
                }

                return new LiteralExpressionSyntax(LiteralKind.Real, real, span);
            case TtsLexer.STRING:
                return new LiteralExpressionSyntax(LiteralKind.Text, Unescape(token), span);
            case TtsLexer.TRUE:
                return new LiteralExpressionSyntax(LiteralKind.Bool, true, span);
            case TtsLexer.FALSE:
                return new LiteralExpressionSyntax(LiteralKind.Bool, false, span);
            default:
                return new MissingExpressionSyntax(span);
        }
    }

    /// <summary>Decodes escapes; an unknown escape is reported at its own position and kept literally.</summary>
    private string Unescape(IToken token)
    {
        var text = token.Text;
        var builder = new StringBuilder(text.Length);
        for (var i = 1; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            var escape = text[++i];
            switch (escape)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case 'u' when IsHex(text, i + 1, 4):
                    builder.Append((char)int.Parse(text.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'u':
                    _diagnostics.Report(DiagnosticDescriptors.IncompleteUnicodeEscape, _source.GetLocation(new TextSpan(token.StartIndex + i - 1, 2)));
                    builder.Append('\\').Append('u');
                    break;
                default:
                    var at = token.StartIndex + i - 1;
                    _diagnostics.Report(DiagnosticDescriptors.InvalidEscape, _source.GetLocation(new TextSpan(at, 2)), escape.ToString());
                    builder.Append('\\').Append(escape);
                    break;
            }
        }

        return builder.ToString();
    }

    private static bool IsHex(string text, int start, int count)
    {
        if (start + count > text.Length - 1)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!Uri.IsHexDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private IdentifierSyntax Identifier(ParserRuleContext? context, ParserRuleContext parent) =>
        Identifier(context is null || context.ChildCount != 1 ? null : context.Start, parent);

    private IdentifierSyntax Identifier(IToken? token, ParserRuleContext parent)
    {
        if (token is null || IsMissing(token))
        {
            return new IdentifierSyntax("", EndOf(parent));
        }

        return new IdentifierSyntax(token.Text, TextSpan.FromBounds(token.StartIndex, token.StopIndex + 1));
    }

    /// <summary>ANTLR conjures tokens during single-token insertion; they have no place in the input.</summary>
    private static bool IsMissing(IToken token) => token.TokenIndex < 0 || token.StartIndex < 0 || token.StopIndex < token.StartIndex;

    private static TextSpan SpanOf(ParserRuleContext context)
    {
        var start = context.Start?.StartIndex ?? 0;
        var stop = context.Stop;
        if (stop is null || stop.StopIndex < start || stop.Type == TokenConstants.EOF)
        {
            return new TextSpan(Math.Max(0, start), 0);
        }

        return TextSpan.FromBounds(start, stop.StopIndex + 1);
    }

    private static TextSpan EndOf(ParserRuleContext context)
    {
        var span = SpanOf(context);
        return new TextSpan(span.End, 0);
    }
}
