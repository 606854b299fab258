using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Syntax.Formatting;

/// <summary>
/// Prints an AST in the canonical style of <c>tts fmt</c>: 4-space indentation, one statement per line, each
/// strategy clause on its own line, a blank line around each strategy and the fewest parentheses the
/// grammar's precedence allows. Comments come from the tree's side table and are never dropped: each one is
/// printed before the declaration, clause or statement it precedes, at the end of the line it trails, before
/// the closing brace of its block, or at the end of the file; one inside a header or an expression moves
/// before that header or statement.
/// </summary>
/// <remarks>
/// Over 500 lines on purpose: one printer for the whole grammar, because the comment placement and the precedence
/// rules thread through declarations, statements and expressions alike; split, each part would need the other's state.
/// </remarks>
public static class SyntaxPrinter
{
    private const string IndentUnit = "    ";

    /// <summary>The canonical text of a parsed file; a file with syntax errors is refused with its diagnostics.</summary>
    public static FormattingResult Format(SyntaxTree tree)
    {
        var errors = tree.Diagnostics.Where(d => d.IsError).ToImmutableArray();
        if (!errors.IsEmpty)
        {
            return new FormattingResult(null, tree.Diagnostics);
        }

        var printer = new Printer(tree.Source.Text, tree.Comments);
        printer.PrintCompilationUnit(tree.Root);
        return new FormattingResult(printer.ToString(), tree.Diagnostics);
    }

    /// <summary>The canonical text of an AST alone (no comments); it must have no missing nodes.</summary>
    public static string Print(CompilationUnitSyntax root)
    {
        var printer = new Printer("", ImmutableArray<Comment>.Empty);
        printer.PrintCompilationUnit(root);
        return printer.ToString();
    }

    /// <summary>One expression, parenthesized only where precedence requires.</summary>
    public static string Print(ExpressionSyntax expression)
    {
        var builder = new StringBuilder();
        AppendExpression(builder, expression);
        return builder.ToString();
    }

    /// <summary>
    /// Binding strength of each operator, matching the alternatives of the grammar's <c>expression</c> rule:
    /// unary above every binary operator; all binary operators are left-associative.
    /// </summary>
    private static int BinaryPrecedence(string op) => op switch
    {
        "*" or "/" or "%" => 6,
        "+" or "-" => 5,
        "<" or "<=" or ">" or ">=" => 4,
        "==" or "!=" => 3,
        "and" => 2,
        "or" => 1,
        _ => throw new ArgumentException($"unknown binary operator '{op}'", nameof(op)),
    };

    private const int UnaryPrecedence = 7;
    private const int PrimaryPrecedence = 8;

    private static int Precedence(ExpressionSyntax expression) => expression switch
    {
        BinaryExpressionSyntax binary => BinaryPrecedence(binary.Operator),
        UnaryExpressionSyntax => UnaryPrecedence,
        _ => PrimaryPrecedence,
    };

    private static void AppendExpression(StringBuilder builder, ExpressionSyntax expression)
    {
        switch (expression)
        {
            case LiteralExpressionSyntax literal:
                builder.Append(FormatLiteral(literal));
                break;
            case NameExpressionSyntax name:
                builder.Append(name.Name.Name);
                break;
            case CallExpressionSyntax call:
                builder.Append(call.Callee.Name);
                AppendArguments(builder, call.Arguments);
                break;
            case ListExpressionSyntax list:
                builder.Append('[');
                AppendSeparated(builder, list.Elements, AppendExpression);
                builder.Append(']');
                break;
            case UnaryExpressionSyntax unary:
                builder.Append(unary.Operator == "not" ? "not " : unary.Operator);
                AppendOperand(builder, unary.Operand, parenthesize: Precedence(unary.Operand) < UnaryPrecedence);
                break;
            case BinaryExpressionSyntax binary:
                var precedence = BinaryPrecedence(binary.Operator);
                AppendOperand(builder, binary.Left, parenthesize: Precedence(binary.Left) < precedence);
                builder.Append(' ').Append(binary.Operator).Append(' ');
                // Left-associative: an equally strong operator on the right was parenthesized in the source.
                AppendOperand(builder, binary.Right, parenthesize: Precedence(binary.Right) <= precedence);
                break;
            case MissingExpressionSyntax:
                throw new InvalidOperationException("cannot print a tree with a missing expression: it has syntax errors");
            default:
                throw new InvalidOperationException($"no printer for {expression.GetType().Name}");
        }
    }

    private static void AppendOperand(StringBuilder builder, ExpressionSyntax operand, bool parenthesize)
    {
        if (parenthesize)
        {
            builder.Append('(');
        }

        AppendExpression(builder, operand);
        if (parenthesize)
        {
            builder.Append(')');
        }
    }

    private static void AppendArguments(StringBuilder builder, ImmutableArray<ArgumentSyntax> arguments)
    {
        builder.Append('(');
        AppendSeparated(builder, arguments, static (b, argument) =>
        {
            if (argument.Name is { } name)
            {
                b.Append(name.Name).Append(": ");
            }

            AppendExpression(b, argument.Value);
        });
        builder.Append(')');
    }

    private static void AppendSeparated<T>(StringBuilder builder, ImmutableArray<T> items, Action<StringBuilder, T> append)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            append(builder, items[i]);
        }
    }

    private static string FormatLiteral(LiteralExpressionSyntax literal) => literal.Value switch
    {
        bool value => value ? "true" : "false",
        long value => value.ToString(CultureInfo.InvariantCulture),
        double value => FormatReal(value),
        string value => QuoteText(value),
        _ => throw new InvalidOperationException($"unexpected literal value {literal.Value}"),
    };

    /// <summary>Shortest text that parses back to the same double and still lexes as a REAL (a '.' or an exponent).</summary>
    internal static string FormatReal(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // "R" is not always round-trip on .NET Framework (netstandard2.0 hosts); G17 always is.
        if (double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) != value)
        {
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        }

        return text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 ? text : text + ".0";
    }

    /// <summary>A string literal that the lexer decodes back to exactly <paramref name="value"/>.</summary>
    internal static string QuoteText(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default:
                    // Control characters are invisible, and a lone surrogate cannot be saved as UTF-8.
                    if (char.IsControl(c) || IsLoneSurrogate(value, i))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static bool IsLoneSurrogate(string value, int i)
    {
        var c = value[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]);
        }

        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
    }

    /// <summary>Writes lines and places comments; one instance per printed file.</summary>
    private sealed class Printer
    {
        private readonly StringBuilder _output = new();
        private readonly string _source;
        private readonly ImmutableArray<Comment> _comments;
        private int _nextComment;
        private int _depth;

        public Printer(string source, ImmutableArray<Comment> comments)
        {
            _source = source;
            _comments = comments;
        }

        public override string ToString() => _output.ToString();

        public void PrintCompilationUnit(CompilationUnitSyntax unit)
        {
            for (var i = 0; i < unit.Declarations.Length; i++)
            {
                // One-line declarations (models, rewards, verifiers, extractors) stay together; strategies stand apart.
                if (i > 0 && (unit.Declarations[i] is StrategyDeclarationSyntax || unit.Declarations[i - 1] is StrategyDeclarationSyntax))
                {
                    _output.Append('\n');
                }

                PrintDeclaration(unit.Declarations[i]);
            }

            if (_nextComment < _comments.Length && unit.Declarations.Length > 0)
            {
                _output.Append('\n');
            }

            CommentsBefore(int.MaxValue);
        }

        private void PrintDeclaration(DeclarationSyntax declaration)
        {
            switch (declaration)
            {
                case ModelDeclarationSyntax model:
                    CommentsBefore(model.Span.End);
                    Line(model.Kind is { } kind ? $"model {model.Name.Name}: {kind.Name}" : $"model {model.Name.Name}", model.Span.End);
                    break;
                case FunctionDeclarationSyntax function:
                    CommentsBefore(function.Span.End);
                    var keyword = function.Kind.ToString().ToLowerInvariant();
                    var type = function.ResultType is { } result ? $": {result.Name.Name}" : "";
                    Line($"{keyword} {function.Name.Name}{type}", function.Span.End);
                    break;
                case StrategyDeclarationSyntax strategy:
                    PrintStrategy(strategy);
                    break;
                default:
                    throw new InvalidOperationException($"no printer for {declaration.GetType().Name}");
            }
        }

        private void PrintStrategy(StrategyDeclarationSyntax strategy)
        {
            var header = new StringBuilder("strategy ").Append(strategy.Name.Name).Append('(');
            AppendSeparated(header, strategy.Parameters, static (b, parameter) =>
            {
                b.Append(parameter.Name.Name).Append(": ").Append(parameter.Type.Name.Name);
                if (parameter.Default is { } value)
                {
                    b.Append(" = ");
                    AppendExpression(b, value);
                }
            });
            header.Append(") -> ").Append(strategy.ReturnType.Name.Name);

            if (strategy.Clauses.IsEmpty)
            {
                CommentsBefore(strategy.Body.Span.Start);
                OpenBlock(header.ToString(), strategy.Body);
            }
            else
            {
                CommentsBefore(strategy.ReturnType.Span.End);
                Line(header.ToString(), strategy.ReturnType.Span.End);
                _depth++;
                foreach (var clause in strategy.Clauses)
                {
                    CommentsBefore(clause.Span.End);
                    Line(FormatClause(clause), clause.Span.End);
                }

                CommentsBefore(strategy.Body.Span.Start);
                _depth--;
                OpenBlock("", strategy.Body);
            }

            CloseBlock(strategy.Body);
        }

        private static string FormatClause(StrategyClauseSyntax clause)
        {
            switch (clause)
            {
                case ClaimsClauseSyntax claims:
                    return $"claims {claims.Guarantee.Name}";
                case BudgetClauseSyntax budget:
                    var builder = new StringBuilder("budget ");
                    AppendSeparated(builder, budget.Limits, static (b, limit) =>
                    {
                        b.Append(limit.Resource.Name).Append(" <= ");
                        AppendExpression(b, limit.Limit);
                    });
                    return builder.ToString();
                default:
                    throw new InvalidOperationException($"no printer for {clause.GetType().Name}");
            }
        }

        private void PrintStatement(StatementSyntax statement)
        {
            switch (statement)
            {
                case SmcStatementSyntax smc:
                    PrintBlockStatement($"smc {smc.Target.Name}{FormatOptions(smc.Options)}", smc.Body, smc.Span);
                    return;
                case SearchStatementSyntax search:
                    PrintBlockStatement($"search {search.Target.Name}{FormatOptions(search.Options)}", search.Body, search.Span);
                    return;
                case ForkStatementSyntax fork:
                    PrintBlockStatement("fork", fork.Body, fork.Span);
                    return;
            }

            CommentsBefore(statement.Span.End);
            Line(FormatSimpleStatement(statement), statement.Span.End);
        }

        private void PrintBlockStatement(string header, BlockSyntax body, TextSpan statementSpan)
        {
            CommentsBefore(body.Span.Start);
            OpenBlock(header, body);
            CloseBlock(body, statementSpan.End);
        }

        private static string FormatSimpleStatement(StatementSyntax statement)
        {
            var builder = new StringBuilder();
            switch (statement)
            {
                case LetStatementSyntax let:
                    builder.Append("let ").Append(let.Name.Name).Append(" = ");
                    AppendExpression(builder, let.Value);
                    break;
                case PopulationStatementSyntax population:
                    builder.Append("population ").Append(population.Name.Name).Append(" = ");
                    AppendSource(builder, population.Source);
                    break;
                case ExtendStatementSyntax extend:
                    builder.Append("extend ").Append(extend.Target.Name).Append(" by ").Append(extend.Model.Name);
                    AppendArguments(builder, extend.Arguments);
                    break;
                case ReextendStatementSyntax reextend:
                    builder.Append("reextend ").Append(reextend.Target.Name).Append(" where ");
                    AppendExpression(builder, reextend.Condition);
                    builder.Append(" by ").Append(reextend.Model.Name);
                    AppendArguments(builder, reextend.Arguments);
                    break;
                case ParticleUpdateSyntax update:
                    var (keyword, separator) = update.Kind switch
                    {
                        ParticleUpdateKind.Factor => ("factor", " += "),
                        ParticleUpdateKind.Observe => ("observe", ": "),
                        ParticleUpdateKind.Condition => ("condition", ": "),
                        ParticleUpdateKind.Twist => ("twist", " = "),
                        _ => ("score", " = "),
                    };
                    builder.Append(keyword).Append(' ').Append(update.Target.Name).Append(separator);
                    AppendExpression(builder, update.Value);
                    break;
                case RefineStatementSyntax refine:
                    builder.Append("refine ").Append(refine.Name.Name).Append(" = ");
                    AppendExpression(builder, refine.Initial);
                    builder.Append(" by ");
                    AppendExpression(builder, refine.Step);
                    builder.Append(FormatOptions(refine.Options));
                    break;
                case ReturnStatementSyntax ret:
                    builder.Append("return ");
                    AppendExpression(builder, ret.Value);
                    break;
                default:
                    throw new InvalidOperationException($"no printer for {statement.GetType().Name}");
            }

            return builder.ToString();
        }

        private static void AppendSource(StringBuilder builder, PopulationSourceSyntax source)
        {
            switch (source)
            {
                case SampleSourceSyntax sample:
                    builder.Append("sample ").Append(sample.Model.Name);
                    AppendArguments(builder, sample.Arguments);
                    break;
                case RaceSourceSyntax race:
                    builder.Append("race ").Append(race.Model.Name);
                    AppendArguments(builder, race.Arguments);
                    builder.Append(" first ");
                    AppendExpression(builder, race.First);
                    break;
                case ExpressionSourceSyntax expression:
                    AppendExpression(builder, expression.Expression);
                    break;
                default:
                    throw new InvalidOperationException($"no printer for {source.GetType().Name}");
            }
        }

        private static string FormatOptions(ImmutableArray<LoopOptionSyntax> options)
        {
            if (options.IsEmpty)
            {
                return "";
            }

            var builder = new StringBuilder(" with ");
            AppendSeparated(builder, options, static (b, option) =>
            {
                b.Append(option.Name.Name).Append(' ').Append(option.Operator).Append(' ');
                AppendExpression(b, option.Value);
            });
            return builder.ToString();
        }

        /// <summary>The line ending in <c>{</c> (just <c>{</c> when <paramref name="header"/> is empty), then the statements, indented.</summary>
        private void OpenBlock(string header, BlockSyntax block)
        {
            Line(header.Length == 0 ? "{" : header + " {", block.Span.Start + 1);
            _depth++;
            foreach (var statement in block.Statements)
            {
                PrintStatement(statement);
            }
        }

        private void CloseBlock(BlockSyntax block) => CloseBlock(block, block.Span.End);

        /// <summary>Comments left inside the block go before its closing brace.</summary>
        private void CloseBlock(BlockSyntax block, int trailingFrom)
        {
            CommentsBefore(block.Span.End - 1);
            _depth--;
            Line("}", trailingFrom);
        }

        /// <summary>Each comment not yet printed that starts before <paramref name="offset"/>, on a line of its own.</summary>
        private void CommentsBefore(int offset)
        {
            while (_nextComment < _comments.Length && _comments[_nextComment].Span.Start < offset)
            {
                Indent();
                _output.Append(_comments[_nextComment].Text).Append('\n');
                _nextComment++;
            }
        }

        /// <summary>
        /// One line of code, followed by the comments that trail <paramref name="sourceEnd"/> in the source: those
        /// after it on the same source line with nothing but spaces (and other such comments) in between.
        /// </summary>
        private void Line(string code, int sourceEnd)
        {
            Indent();
            _output.Append(code);
            var end = sourceEnd;
            while (_nextComment < _comments.Length && OnlySpacesBetween(end, _comments[_nextComment].Span.Start))
            {
                var comment = _comments[_nextComment++];
                _output.Append(' ').Append(comment.Text);
                end = comment.Span.End;
            }

            _output.Append('\n');
        }

        private bool OnlySpacesBetween(int start, int end)
        {
            if (start > end || end > _source.Length)
            {
                return false;
            }

            for (var i = start; i < end; i++)
            {
                if (_source[i] is not (' ' or '\t'))
                {
                    return false;
                }
            }

            return true;
        }

        private void Indent()
        {
            for (var i = 0; i < _depth; i++)
            {
                _output.Append(IndentUnit);
            }
        }
    }
}
