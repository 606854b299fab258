using System.Collections.Immutable;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;
using Tts.Semantics;

namespace Tts.Language.Binding;

/// <summary>
/// Resolves names, checks types and fills in defaults, turning the AST into the bound tree; what the bound tree says
/// about guarantees, budgets, effects and unused names is worked out afterwards by the analyses
/// (<see cref="SemanticAnalysis"/>). Errors go to the diagnostic bag; an expression that fails to bind becomes
/// <see cref="BoundErrorExpression"/>, whose error type silences follow-on errors, so one mistake is reported once.
/// Program and helpers: Binder.cs; declarations and clauses: Binder.Declarations.cs; scopes: Binder.Scope.cs;
/// statements: Binder.Statements.cs, Binder.Blocks.cs, Binder.ParticleUpdates.cs; expressions: Binder.Expressions.cs,
/// Binder.Reductions.cs, Binder.Arguments.cs, Binder.Values.cs.
/// </summary>
public sealed partial class Binder
{
    private readonly SourceText _source;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, Symbol> _globals = new(StringComparer.Ordinal);
    /// <summary>Strategies whose bodies are bound; bodies go callees first, so a call into one not yet bound is a cycle.</summary>
    private readonly HashSet<StrategySymbol> _boundStrategies = new();

    /// <summary>Strategies on a call cycle (reported once); calls into them bind to errors.</summary>
    private readonly HashSet<StrategySymbol> _recursive = new();

    /// <summary>The strategy whose body is being bound, with what the binder tracks through it.</summary>
    private StrategyState _strategy = null!;

    private readonly ImmutableArray<Diagnostic> _syntaxErrors;

    private Binder(SourceText source, DiagnosticBag diagnostics, ImmutableArray<Diagnostic> syntaxErrors)
    {
        _source = source;
        _diagnostics = diagnostics;
        _syntaxErrors = syntaxErrors;
    }

    /// <summary>
    /// The front end's entry point, under the name its callers use (src/Compiler/Driver/Compilation.cs, the CLI, the
    /// tests): binds the tree, then runs the analyses over it (<see cref="SemanticAnalysis.Analyze"/>).
    /// </summary>
    public static BoundProgram Bind(SyntaxTree tree, DiagnosticBag diagnostics) => SemanticAnalysis.Analyze(tree, diagnostics);

    /// <summary>Binding alone: the bound tree, with the guarantees and budgets the analyses fill in not yet there.</summary>
    internal static BoundProgram BindProgram(SyntaxTree tree, DiagnosticBag diagnostics) =>
        new Binder(tree.Source, diagnostics, tree.Diagnostics.Where(d => d.IsError).ToImmutableArray()).BindCompilationUnit(tree.Root);

    private BoundProgram BindCompilationUnit(CompilationUnitSyntax unit)
    {
        var models = ImmutableArray.CreateBuilder<ModelSymbol>();
        var functions = ImmutableArray.CreateBuilder<FunctionSymbol>();
        foreach (var declaration in unit.Declarations)
        {
            switch (declaration)
            {
                case ModelDeclarationSyntax model when BindModel(model) is { } modelSymbol:
                    models.Add(modelSymbol);
                    break;
                case FunctionDeclarationSyntax function when BindFunction(function) is { } functionSymbol:
                    functions.Add(functionSymbol);
                    break;
            }
        }

        // Strategies are declared before any body is bound, so declaration order never matters; bodies are bound
        // callees first, so a call into a strategy not yet bound can only be a cycle.
        var headers = new Dictionary<StrategySymbol, StrategyDeclarationSyntax>();
        var order = new List<StrategySymbol>();
        foreach (var strategy in unit.Declarations.OfType<StrategyDeclarationSyntax>())
        {
            var symbol = BindStrategyHeader(strategy);
            if (Declare(strategy.Name, symbol))
            {
                headers.Add(symbol, strategy);
                order.Add(symbol);
            }
        }

        var bound = new Dictionary<StrategySymbol, BoundStrategy>();
        foreach (var symbol in CallOrder(order, headers))
        {
            bound[symbol] = BindStrategyBody(headers[symbol], symbol);
            _boundStrategies.Add(symbol);
        }

        var strategies = order.Where(bound.ContainsKey).Select(s => bound[s]).ToImmutableArray();
        return new BoundProgram(models.ToImmutable(), functions.ToImmutable(), strategies);
    }

    /// <summary>Callees before callers; a cycle is reported once, and its strategies are bound anyway (calls into it are errors).</summary>
    private IEnumerable<StrategySymbol> CallOrder(List<StrategySymbol> strategies, Dictionary<StrategySymbol, StrategyDeclarationSyntax> headers)
    {
        var callees = strategies.ToDictionary(s => s, s => CalledStrategies(headers[s]).ToList());
        var state = new Dictionary<StrategySymbol, bool>(); // false: on the stack; true: done
        var result = new List<StrategySymbol>();
        var path = new List<StrategySymbol>();

        void Visit(StrategySymbol symbol)
        {
            if (state.TryGetValue(symbol, out var done))
            {
                if (!done)
                {
                    var cycle = path.Skip(path.IndexOf(symbol)).Append(symbol).Select(s => s.Name);
                    Report(DiagnosticDescriptors.RecursiveStrategy, symbol.DeclarationSpan, string.Join(" -> ", cycle));
                    _recursive.Add(symbol);
                }

                return;
            }

            state[symbol] = false;
            path.Add(symbol);
            foreach (var callee in callees[symbol])
            {
                Visit(callee);
            }

            path.RemoveAt(path.Count - 1);
            state[symbol] = true;
            result.Add(symbol);
        }

        foreach (var strategy in strategies)
        {
            Visit(strategy);
        }

        return result;
    }

    private IEnumerable<StrategySymbol> CalledStrategies(SyntaxNode node)
    {
        foreach (var child in SyntaxWalker.Descendants(node))
        {
            if (child is CallExpressionSyntax call && _globals.TryGetValue(call.Callee.Name, out var symbol) && symbol is StrategySymbol strategy)
            {
                yield return strategy;
            }
        }
    }

    /// <summary>A syntax error on the same line makes a "missing" or "unknown" report there a follow-on of it: stay silent.</summary>
    private bool HasSyntaxErrorOnLineOf(TextSpan span)
    {
        var line = _source.GetLinePosition(span.Start).Line;

        // The error may sit on the next token, even on a later line: `sample policy` followed by the next statement.
        var next = span.End;
        while (next < _source.Text.Length && char.IsWhiteSpace(_source.Text[next]))
        {
            next++;
        }

        return _syntaxErrors.Any(d => d.Location.Start.Line == line || (d.Location.Span.Start >= span.Start && d.Location.Span.Start <= next));
    }

    private bool HasSyntaxErrorIn(TextSpan span) =>
        _syntaxErrors.Any(d => d.Location.Span.Start >= span.Start && d.Location.Span.Start <= span.End);

    private string SourceOf(TextSpan span) =>
        span.Length == 0 || span.End > _source.Text.Length ? "" : _source.Text.Substring(span.Start, span.Length);

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Ordinal(int n) => n switch { 1 => "first", 2 => "second", 3 => "third", _ => $"#{n}" };

    private static object Convert(object value, TtsType type) =>
        (type.Kind is TypeKind.Real or TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob) && value is long l ? (double)l : value;

    private int LineOf(TextSpan span) => _source.GetLinePosition(span.Start).Line + 1;

    private void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments) =>
        _diagnostics.Report(descriptor, _source.GetLocation(span), arguments);

    /// <summary>TTS0105 with the fix for the two types (a conversion, or what to write instead).</summary>
    private void ReportTypeMismatch(TextSpan span, object what, object expected, object actual) =>
        Report(DiagnosticDescriptors.TypeMismatch, span, what, expected, actual, TypeFixes.For(expected, actual));

    /// <summary>"a text", "an int": the article a type or kind name takes.</summary>
    private static string WithArticle(string noun) =>
        (noun.Length > 0 && "aeiouAEIOU".IndexOf(noun[0]) >= 0 ? "an " : "a ") + noun;
}
