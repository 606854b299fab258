using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Tests.Formatting;

/// <summary>
/// FsCheck generators of well-formed ASTs: every node kind, spans left at default. The size parameter bounds
/// the expressions; statements nest at most <see cref="MaxBlockDepth"/> blocks deep.
/// </summary>
internal static class SyntaxGenerators
{
    private const int MaxBlockDepth = 2;
    private const int MaxListLength = 3;

    private static readonly TextSpan NoSpan = default;

    private static readonly string[] HardKeywords =
    {
        "model", "strategy", "population", "sample", "let", "return", "true", "false", "and", "or", "not", "reward",
        "verifier", "extractor", "claims", "budget", "smc", "search", "extend", "factor", "observe", "condition",
        "fork", "refine", "race",
    };

    private static readonly string[] SoftKeywords = { "by", "with", "first", "score", "twist" };

    private static readonly string[] BinaryOperators = { "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "and", "or" };

    private const string IdentifierStart = "abcxyzABZ_";
    private const string IdentifierRest = "abcxyzABZ_019";

    /// <summary>Pieces of string literals: plain text, every escape the lexer knows, control characters, non-ASCII.</summary>
    private static readonly string[] TextPieces =
    {
        "a", "Q: ", " ", "\"", "\\", "\n", "\t", "\r", "\u0001", "\u001f", "\u007f", "\u0085", "é", "€", "\u2028", "😀", "//", "/*", "\\u0041",
    };

    private static readonly double[] InterestingReals =
    {
        0.0, 1.0, 0.5, 0.1, 2.5, 123.456, 1e-5, 1e-300, 1e300, 1e21, 1e22, double.Epsilon, double.MaxValue, 4.9406564584124654E-324,
    };

    public static Gen<CompilationUnitSyntax> CompilationUnit =>
        Gen.Sized(size => ListOf(Declaration(size)).Select(d => new CompilationUnitSyntax(d, NoSpan)));

    public static Gen<string> Name =>
        Gen.Frequency(
            (1, Gen.Elements(SoftKeywords)),
            (4, from first in Gen.Elements(IdentifierStart.ToCharArray())
                from rest in ListOf(Gen.Elements(IdentifierRest.ToCharArray()), 5)
                select first + new string(rest.ToArray())))
        .Where(name => !HardKeywords.Contains(name));

    private static Gen<IdentifierSyntax> Identifier => Name.Select(name => new IdentifierSyntax(name, NoSpan));

    private static Gen<TypeReferenceSyntax> TypeReference => Identifier.Select(name => new TypeReferenceSyntax(name, NoSpan));

    private static Gen<DeclarationSyntax> Declaration(int size) =>
        Gen.Frequency(
            (1, from name in Identifier
                from kind in Identifier
                select (DeclarationSyntax)new ModelDeclarationSyntax(name, kind, NoSpan)),
            (1, from kind in Gen.Elements(FunctionKind.Reward, FunctionKind.Verifier, FunctionKind.Extractor)
                from name in Identifier
                from type in Optional(TypeReference)
                select (DeclarationSyntax)new FunctionDeclarationSyntax(kind, name, type, NoSpan)),
            (3, Strategy(size).Select(s => (DeclarationSyntax)s)));

    private static Gen<StrategyDeclarationSyntax> Strategy(int size) =>
        from name in Identifier
        from parameters in ListOf(Parameter(size))
        from returnType in TypeReference
        from clauses in ListOf(Clause(size))
        from body in Block(MaxBlockDepth, size)
        select new StrategyDeclarationSyntax(name, parameters, returnType, clauses, body, NoSpan);

    private static Gen<ParameterSyntax> Parameter(int size) =>
        from name in Identifier
        from type in TypeReference
        from value in Optional(Expression(size))
        select new ParameterSyntax(name, type, value, NoSpan);

    private static Gen<StrategyClauseSyntax> Clause(int size) =>
        Gen.OneOf(
            Identifier.Select(g => (StrategyClauseSyntax)new ClaimsClauseSyntax(g, NoSpan)),
            NonEmptyListOf(from resource in Identifier
                           from limit in Expression(size)
                           select new BudgetLimitSyntax(resource, limit, NoSpan))
                .Select(limits => (StrategyClauseSyntax)new BudgetClauseSyntax(limits, NoSpan)));

    private static Gen<BlockSyntax> Block(int depth, int size) =>
        ListOf(Statement(depth, size), 4).Select(statements => new BlockSyntax(statements, NoSpan));

    private static Gen<StatementSyntax> Statement(int depth, int size)
    {
        var expression = Expression(size);
        var simple = new List<(int, Gen<StatementSyntax>)>
        {
            (2, from name in Identifier from value in expression select (StatementSyntax)new LetStatementSyntax(name, value, NoSpan)),
            (2, from name in Identifier from source in PopulationSource(size) select (StatementSyntax)new PopulationStatementSyntax(name, source, NoSpan)),
            (1, from target in Identifier
                from model in Identifier
                from arguments in Arguments(size)
                select (StatementSyntax)new ExtendStatementSyntax(target, model, arguments, NoSpan)),
            (2, from kind in Gen.Elements(Enum.GetValues(typeof(ParticleUpdateKind)).Cast<ParticleUpdateKind>().ToArray())
                from target in Identifier
                from value in expression
                select (StatementSyntax)new ParticleUpdateSyntax(kind, target, value, NoSpan)),
            (1, from name in Identifier
                from initial in expression
                from step in expression
                from options in LoopOptions(size)
                select (StatementSyntax)new RefineStatementSyntax(name, initial, step, options, NoSpan)),
            (1, expression.Select(value => (StatementSyntax)new ReturnStatementSyntax(value, NoSpan))),
        };
        if (depth == 0)
        {
            return Gen.Frequency(simple.ToArray());
        }

        var body = Block(depth - 1, size);
        simple.Add((1, from target in Identifier from options in LoopOptions(size) from block in body
                       select (StatementSyntax)new SmcStatementSyntax(target, options, block, NoSpan)));
        simple.Add((1, from target in Identifier from options in LoopOptions(size) from block in body
                       select (StatementSyntax)new SearchStatementSyntax(target, options, block, NoSpan)));
        simple.Add((1, body.Select(block => (StatementSyntax)new ForkStatementSyntax(block, NoSpan))));
        return Gen.Frequency(simple.ToArray());
    }

    private static Gen<PopulationSourceSyntax> PopulationSource(int size) =>
        Gen.OneOf(
            from model in Identifier
            from arguments in Arguments(size)
            select (PopulationSourceSyntax)new SampleSourceSyntax(model, arguments, NoSpan),
            from model in Identifier
            from arguments in Arguments(size)
            from first in Expression(size)
            select (PopulationSourceSyntax)new RaceSourceSyntax(model, arguments, first, NoSpan),
            Expression(size).Select(e => (PopulationSourceSyntax)new ExpressionSourceSyntax(e, NoSpan)));

    private static Gen<ImmutableArray<LoopOptionSyntax>> LoopOptions(int size) =>
        ListOf(from name in Identifier
               from op in Gen.Elements("=", "<", "<=")
               from value in Expression(size)
               select new LoopOptionSyntax(name, op, value, NoSpan), 2);

    private static Gen<ImmutableArray<ArgumentSyntax>> Arguments(int size) =>
        ListOf(from name in Optional(Identifier)
               from value in Expression(size / 2)
               select new ArgumentSyntax(name, value, NoSpan));

    public static Gen<ExpressionSyntax> Expression(int size)
    {
        var leaf = Gen.OneOf(Literal, Identifier.Select(n => (ExpressionSyntax)new NameExpressionSyntax(n, NoSpan)));
        if (size <= 1)
        {
            return leaf;
        }

        var half = Expression(size / 2);
        var third = Expression(size / 3);
        return Gen.Frequency(
            (3, leaf),
            (2, from op in Gen.Elements("-", "not") from operand in half select (ExpressionSyntax)new UnaryExpressionSyntax(op, operand, NoSpan)),
            (5, from op in Gen.Elements(BinaryOperators) from left in half from right in half
                select (ExpressionSyntax)new BinaryExpressionSyntax(left, op, right, NoSpan)),
            (2, from callee in Gen.Frequency((4, Name), (1, Gen.Constant("sample")))
                from arguments in ListOf(from name in Optional(Identifier) from value in third select new ArgumentSyntax(name, value, NoSpan))
                select (ExpressionSyntax)new CallExpressionSyntax(new IdentifierSyntax(callee, NoSpan), arguments, NoSpan)),
            (1, ListOf(third).Select(elements => (ExpressionSyntax)new ListExpressionSyntax(elements, NoSpan))));
    }

    private static Gen<ExpressionSyntax> Literal =>
        Gen.OneOf(
            Gen.OneOf(Gen.Choose(0, int.MaxValue).Select(i => (long)i), Gen.Elements(0L, long.MaxValue, 1L << 53))
                .Select(value => NewLiteral(LiteralKind.Int, value)),
            Gen.OneOf(Gen.Elements(InterestingReals), RandomReal).Select(value => NewLiteral(LiteralKind.Real, value)),
            ListOf(Gen.Elements(TextPieces), 6).Select(pieces => NewLiteral(LiteralKind.Text, string.Concat(pieces))),
            Gen.Elements(true, false).Select(value => NewLiteral(LiteralKind.Bool, value)));

    /// <summary>Any finite non-negative double, from random bits (negative numbers are unary minus in the AST).</summary>
    private static Gen<double> RandomReal =>
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        let value = BitConverter.Int64BitsToDouble(((long)high << 32) | (uint)low)
        where !double.IsNaN(value) && !double.IsInfinity(value)
        select value;

    private static ExpressionSyntax NewLiteral(LiteralKind kind, object value) => new LiteralExpressionSyntax(kind, value, NoSpan);

    private static Gen<T?> Optional<T>(Gen<T> gen)
        where T : class =>
        Gen.OneOf(Gen.Constant<T?>(null), gen.Select(value => (T?)value));

    private static Gen<ImmutableArray<T>> ListOf<T>(Gen<T> item, int maxLength = MaxListLength) =>
        from length in Gen.Choose(0, maxLength)
        from items in Gen.ArrayOf(item, length)
        select items.ToImmutableArray();

    private static Gen<ImmutableArray<T>> NonEmptyListOf<T>(Gen<T> item) =>
        from length in Gen.Choose(1, MaxListLength)
        from items in Gen.ArrayOf(item, length)
        select items.ToImmutableArray();
}
