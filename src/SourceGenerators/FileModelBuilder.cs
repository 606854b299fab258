using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Tts.Compiler.Driver;
using Tts.Compiler.Emit;
using Tts.Compiler.Lowering;
using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Semantics;

namespace Tts.SourceGenerators;

/// <summary>
/// Compiles one .tts file as <c>tts run</c> does (parse, bind, lower, -O1 passes), emits its strategies as C# with the
/// compiler's emitter, and reduces the result to equatable models.
/// </summary>
internal static class FileModelBuilder
{
    /// <summary>
    /// The namespace of the emitted classes (one internal class per file, named as its file class). Not nested in the
    /// file class, whose strategy classes (e.g. <c>Population</c>) would shadow the names the emitted code uses.
    /// </summary>
    public const string EmittedNamespace = "Tts.Generated.Emitted";

    /// <summary>Members of a strategy's nested class and of its Parameters record that names must not take.</summary>
    private static readonly string[] StrategyMembers =
    {
        "Name", "Signature", "ReturnType", "Guarantee", "Target", "Reason", "Parameters", "Result", "RunAsync", "RunManyAsync", "BindFunctions",
    };

    /// <summary>Members of a file's class (next to its strategies' classes).</summary>
    private static readonly string[] FileMembers = { SourceEmitter.SourceConstant, SourceEmitter.FileNameConstant };

    private static readonly string[] RecordMembers = { "Parameters", "EqualityContract" };

    public static FileResult Build(string path, string text, CancellationToken cancellationToken)
    {
        var className = Naming.FileClassName(path);
        cancellationToken.ThrowIfCancellationRequested();
        var compilation = Compilation.Compile(Tts.Language.Text.SourceText.From(text, path));
        cancellationToken.ThrowIfCancellationRequested();
        var tree = compilation.Syntax;
        var program = compilation.Bound;

        var diagnostics = compilation.Diagnostics.Select(ToModel).ToList();
        if (compilation.HasErrors)
        {
            return new FileResult(
                new StrategyFileModel(path, text, className, EquatableArray<FunctionDeclarationModel>.Empty, EquatableArray<StrategyModel>.Empty, "", HasErrors: true),
                diagnostics.ToEquatableArray());
        }

        var declarations = tree.Root.Declarations.OfType<Tts.Language.Syntax.Nodes.StrategyDeclarationSyntax>().ToList();
        var strategies = program.Strategies
            .Select(s => ToModel(s, program, Documentation(tree, declarations.FirstOrDefault(d => d.Name.Name == s.Symbol.Name))))
            .ToList();
        var functions = program.Functions
            .Select(f => new FunctionDeclarationModel(
                f.Name,
                f.Kind switch
                {
                    Tts.Semantics.FunctionKind.Reward => BindingKind.Reward,
                    Tts.Semantics.FunctionKind.Verifier => BindingKind.Verifier,
                    _ => BindingKind.Extractor,
                },
                f.ResultType.Kind == TypeKind.Prob,
                ToModel(tree.Source.GetLocation(f.DeclarationSpan))))
            .ToEquatableArray();
        var clashes = FindNameClashes(tree, className, program, strategies);
        diagnostics.AddRange(clashes);
        var hasErrors = clashes.Count > 0;
        if (hasErrors)
        {
            return new FileResult(
                new StrategyFileModel(path, text, className, functions, EquatableArray<StrategyModel>.Empty, "", HasErrors: true),
                diagnostics.ToEquatableArray());
        }

        diagnostics.AddRange(program.Strategies
            .Zip(strategies, (bound, model) => (bound, model))
            .Where(s => s.model.NotCompiled is not null)
            .Select(s => NotCompiled(s.model, ToModel(tree.Source.GetLocation(s.bound.Symbol.DeclarationSpan)))));
        var emitted = CSharpEmitter.Emit(
            compilation.Optimized!,
            new CSharpEmitOptions(EmittedNamespace, className, Source: SourceEmitter.FileName(path), IsPublic: false));
        cancellationToken.ThrowIfCancellationRequested();
        return new FileResult(
            new StrategyFileModel(path, text, className, functions, strategies.ToEquatableArray(), emitted, HasErrors: false),
            diagnostics.ToEquatableArray());
    }

    private static DiagnosticModel NotCompiled(StrategyModel strategy, LocationModel location) =>
        new(
            GeneratorDiagnostics.NotCompiled.Id,
            GeneratorDiagnostics.NotCompiled.Title.ToString(CultureInfo.InvariantCulture),
            new[] { $"strategy '{strategy.Name}' cannot be compiled to C# yet: {strategy.NotCompiled}; its run methods throw RuntimeException saying so" }.ToEquatableArray(),
            IsError: false,
            location);

    private static DiagnosticModel ToModel(Diagnostic diagnostic) =>
        new(diagnostic.Id, diagnostic.Descriptor.Title, new[] { diagnostic.Message }.ToEquatableArray(), diagnostic.IsError, ToModel(diagnostic.Location));

    private static LocationModel ToModel(Tts.Language.Text.Location location) =>
        new(location.Path, location.Span.Start, location.Span.Length, location.Start.Line, location.Start.Column, location.End.Line, location.End.Column);

    /// <summary>The comment lines directly above a strategy, delimiters stripped: its documentation.</summary>
    private static EquatableArray<string> Documentation(SyntaxTree tree, Tts.Language.Syntax.Nodes.StrategyDeclarationSyntax? declaration)
    {
        if (declaration is null)
        {
            return EquatableArray<string>.Empty;
        }

        var lines = new List<string>();
        foreach (var comment in tree.GetLeadingComments(declaration))
        {
            var body = comment.Text.StartsWith("//", StringComparison.Ordinal)
                ? comment.Text.Substring(2)
                : comment.Text.Substring(2, comment.Text.Length - 4);
            lines.AddRange(body.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim().TrimStart('*').Trim()).Where(l => l.Length > 0));
        }

        return lines.ToEquatableArray();
    }

    private static StrategyModel ToModel(BoundStrategy strategy, BoundProgram program, EquatableArray<string> documentation)
    {
        var symbol = strategy.Symbol;
        var (models, functions) = StrategyUses.Of(strategy, program);
        var parameters = symbol.Parameters
            .Select(p => new ParameterModel(
                p.Name,
                p.Type.ToString(),
                Naming.ToPascalIdentifier(p.Name, "Value"),
                CSharpType(p.Type),
                p.DefaultValue is null ? null : Literal(p.DefaultValue, p.Type)))
            .ToEquatableArray();
        return new StrategyModel(
            symbol.Name,
            Naming.ToPascalIdentifier(symbol.Name, "Strategy"),
            parameters,
            symbol.ReturnType.ToString(),
            strategy.Guarantee.LevelName,
            strategy.Guarantee.Target,
            strategy.Guarantee.Reason,
            symbol.Signature,
            documentation,
            models.ToEquatableArray(),
            functions.ToEquatableArray(),
            Lowerer.Unsupported(strategy, program));
    }

    /// <summary>C# names that would collide (CS0102, CS0542): reported as TTSG002 at the strategy or parameter.</summary>
    private static List<DiagnosticModel> FindNameClashes(SyntaxTree tree, string className, BoundProgram program, List<StrategyModel> strategies)
    {
        LocationModel Source(Tts.Language.Text.TextSpan span) => ToModel(tree.Source.GetLocation(span));
        var clashes = new List<DiagnosticModel>();
        var classNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < strategies.Count; i++)
        {
            var strategy = strategies[i];
            var symbol = program.Strategies[i].Symbol;
            string? problem = null;
            if (strategy.ClassName == className)
            {
                problem = $"strategy '{strategy.Name}' becomes class '{strategy.ClassName}', the name of the class of its file";
            }
            else if (FileMembers.Contains(strategy.ClassName, StringComparer.Ordinal))
            {
                problem = $"strategy '{strategy.Name}' becomes class '{strategy.ClassName}', which would clash with the file class's member '{strategy.ClassName}'";
            }
            else if (StrategyMembers.Contains(strategy.ClassName, StringComparer.Ordinal))
            {
                problem = $"strategy '{strategy.Name}' becomes class '{strategy.ClassName}', which would clash with its member '{strategy.ClassName}'";
            }
            else if (classNames.TryGetValue(strategy.ClassName, out var other))
            {
                problem = $"strategy '{strategy.Name}' becomes class '{strategy.ClassName}', as strategy '{other}' does";
            }
            else
            {
                classNames.Add(strategy.ClassName, strategy.Name);
            }

            if (problem is not null)
            {
                clashes.Add(Clash(problem, Source(symbol.DeclarationSpan)));
            }

            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var j = 0; j < strategy.Parameters.Count; j++)
            {
                var parameter = strategy.Parameters[j];
                problem = null;
                if (RecordMembers.Contains(parameter.PropertyName, StringComparer.Ordinal))
                {
                    problem = $"parameter '{parameter.Name}' becomes property '{parameter.PropertyName}', which a record cannot have";
                }
                else if (properties.TryGetValue(parameter.PropertyName, out var otherParameter))
                {
                    problem = $"parameter '{parameter.Name}' becomes property '{parameter.PropertyName}', as parameter '{otherParameter}' does";
                }
                else
                {
                    properties.Add(parameter.PropertyName, parameter.Name);
                }

                if (problem is not null)
                {
                    clashes.Add(Clash(problem, Source(symbol.Parameters[j].DeclarationSpan)));
                }
            }
        }

        return clashes;
    }

    private static DiagnosticModel Clash(string problem, LocationModel location) =>
        new(GeneratorDiagnostics.NameClash.Id, GeneratorDiagnostics.NameClash.Title.ToString(CultureInfo.InvariantCulture), new[] { problem }.ToEquatableArray(), IsError: true, location);

    private static string CSharpType(TtsType type) => type.Kind switch
    {
        TypeKind.Text => "string",
        TypeKind.Int => "long",
        TypeKind.Real or TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob => "double",
        TypeKind.Bool => "bool",
        _ => "object",
    };

    /// <summary>A C# literal for a constant default: invariant culture, strings escaped by Roslyn itself.</summary>
    internal static string Literal(object value, TtsType type) => type.Kind switch
    {
        TypeKind.Real or TypeKind.LogWeight or TypeKind.Score or TypeKind.Prob => RealLiteral(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        TypeKind.Int => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "L",
        TypeKind.Bool => (bool)value ? "true" : "false",
        TypeKind.Text => SymbolDisplay.FormatLiteral((string)value, quote: true),
        _ => "default",
    };

    private static string RealLiteral(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "double.NegativeInfinity";
        }

        // "R" round-trips; the D suffix keeps "1E+20" and "3" doubles.
        return value.ToString("R", CultureInfo.InvariantCulture) + "D";
    }
}
