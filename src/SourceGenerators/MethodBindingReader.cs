using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Tts.SourceGenerators;

/// <summary>
/// Reads one method marked <c>[Reward("name")]</c>, <c>[Verifier("name")]</c> or <c>[AnswerExtractor("name")]</c>
/// (attributes of Tts.Runtime, matched by metadata name, so the generator never loads the runtime) and checks that
/// generated code can call it: signature, accessibility and shape.
/// </summary>
internal static class MethodBindingReader
{
    public const string AttributeNamespace = "Tts.Runtime.Rewards.Attributes";

    public static string AttributeMetadataName(BindingKind kind) => AttributeNamespace + "." + AttributeName(kind) + "Attribute";

    /// <summary>The attribute as a user writes it: Reward, Verifier, AnswerExtractor.</summary>
    public static string AttributeName(BindingKind kind) => kind switch
    {
        BindingKind.Reward => "Reward",
        BindingKind.Verifier => "Verifier",
        _ => "AnswerExtractor",
    };

    /// <summary>How the .tts file and the messages call it: reward, verifier, extractor.</summary>
    public static string KindName(BindingKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>"a reward", "a verifier", "an extractor".</summary>
    public static string Article(BindingKind kind) => (kind == BindingKind.Extractor ? "an " : "a ") + KindName(kind);

    /// <summary>The two signatures a method of this kind may have, for messages.</summary>
    public static string ExpectedSignatures(BindingKind kind)
    {
        var element = ElementTypeName(kind);
        return $"`{element} M(string text)` or, batched, `IReadOnlyList<{element}> M(IReadOnlyList<string> texts)`";
    }

    public static AttributedMethodModel Read(GeneratorAttributeSyntaxContext context, BindingKind kind, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var compilation = (CSharpCompilation)context.SemanticModel.Compilation;
        var methodLocation = LocationOf(method.Locations.FirstOrDefault());
        var display = method.ContainingType.ToDisplayString() + "." + method.Name;
        var diagnostics = new List<DiagnosticModel>();

        var problem = ShapeProblem(method);
        if (problem is not null)
        {
            diagnostics.Add(Diagnostic(GeneratorDiagnostics.MethodNotBindable, $"method '{display}' cannot be bound as {Article(kind)}: {problem}", methodLocation));
        }

        var isBatched = false;
        var argumentType = "string";
        if (!CheckSignature(method, kind, compilation, ref isBatched, ref argumentType))
        {
            diagnostics.Add(Diagnostic(
                GeneratorDiagnostics.WrongSignature,
                $"method '{display}' is marked [{AttributeName(kind)}] but its signature is `{Signature(method)}`: {Article(kind)} is {ExpectedSignatures(kind)}",
                methodLocation));
        }

        var valid = diagnostics.Count == 0;
        var bindings = new List<MethodBindingModel>();
        var sites = new List<BindingSiteModel>();
        foreach (var attribute in context.Attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attributeLocation = attribute.ApplicationSyntaxReference is { } reference
                ? LocationOf(reference.GetSyntax(cancellationToken).GetLocation())
                : methodLocation;
            var name = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (string.IsNullOrWhiteSpace(name))
            {
                diagnostics.Add(Diagnostic(
                    GeneratorDiagnostics.MissingName,
                    $"[{AttributeName(kind)}] on '{display}' needs the name the .tts file declares, e.g. [{AttributeName(kind)}(\"{ExampleName(kind)}\")]",
                    attributeLocation));
                continue;
            }

            bindings.Add(new MethodBindingModel(
                kind,
                name!,
                method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                method.ContainingType.Name,
                method.Name,
                method.IsStatic,
                isBatched,
                argumentType,
                valid));
            sites.Add(new BindingSiteModel(kind, name!, display, attributeLocation));
        }

        return new AttributedMethodModel(bindings.ToEquatableArray(), sites.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>Why generated code (another class of the same assembly) cannot call the method, or null.</summary>
    private static string? ShapeProblem(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (symbol.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return symbol is IMethodSymbol
                    ? "it must be public or internal, so that the generated code can call it"
                    : $"its containing type '{symbol.ToDisplayString()}' must be public or internal, so that the generated code can call it";
            }

            if (symbol is INamedTypeSymbol { IsGenericType: true } type)
            {
                return $"its containing type '{type.ToDisplayString()}' is generic; bind a method of a non-generic type";
            }
        }

        if (method.IsGenericMethod)
        {
            return "it is generic; bind a non-generic method";
        }

        if (method.IsStatic && method.IsAbstract)
        {
            return "a static abstract interface member cannot be called directly; bind an implementation";
        }

        if (!method.IsStatic && method.ContainingType.IsRefLikeType)
        {
            return $"its containing type '{method.ContainingType.ToDisplayString()}' is a ref struct, which the generated run methods cannot hold; make the method static";
        }

        return null;
    }

    /// <summary>
    /// Per text: one string parameter and the kind's result (for a reward, any type with an implicit numeric conversion
    /// to double). Batched: a parameter that takes an IReadOnlyList&lt;string&gt; and a result that is an
    /// IReadOnlyList of the kind's result (e.g. double[] or List&lt;double&gt;).
    /// </summary>
    private static bool CheckSignature(IMethodSymbol method, BindingKind kind, CSharpCompilation compilation, ref bool isBatched, ref string argumentType)
    {
        if (method.Parameters.Length != 1 || method.Parameters[0].RefKind != RefKind.None || method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return false;
        }

        var parameter = method.Parameters[0].Type;
        var element = ElementType(kind, compilation);
        if (parameter.SpecialType == SpecialType.System_String)
        {
            var conversion = compilation.ClassifyConversion(method.ReturnType, element);
            return kind == BindingKind.Reward
                ? conversion.IsImplicit && (conversion.IsIdentity || conversion.IsNumeric) && !conversion.IsUserDefined
                : conversion.IsIdentity;
        }

        var list = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyList`1");
        if (list is null)
        {
            return false;
        }

        var texts = list.Construct(compilation.GetSpecialType(SpecialType.System_String));
        var takes = compilation.ClassifyConversion(texts, parameter);
        var gives = compilation.ClassifyConversion(method.ReturnType, list.Construct(element));
        if (!(takes.IsImplicit && (takes.IsIdentity || takes.IsReference) && !takes.IsUserDefined)
            || !(gives.IsImplicit && (gives.IsIdentity || gives.IsReference || gives.IsBoxing) && !gives.IsUserDefined))
        {
            return false;
        }

        isBatched = true;
        argumentType = parameter.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return true;
    }

    private static ITypeSymbol ElementType(BindingKind kind, Compilation compilation) => compilation.GetSpecialType(kind switch
    {
        BindingKind.Reward => SpecialType.System_Double,
        BindingKind.Verifier => SpecialType.System_Boolean,
        _ => SpecialType.System_String,
    });

    private static string ElementTypeName(BindingKind kind) => kind switch
    {
        BindingKind.Reward => "double",
        BindingKind.Verifier => "bool",
        _ => "string",
    };

    private static string ExampleName(BindingKind kind) => kind switch
    {
        BindingKind.Reward => "prm",
        BindingKind.Verifier => "valid",
        _ => "final_answer",
    };

    private static string Signature(IMethodSymbol method) =>
        method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " " + method.Name + "("
        + string.Join(", ", method.Parameters.Select(p => p.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) + ")";

    private static DiagnosticModel Diagnostic(DiagnosticDescriptor descriptor, string message, LocationModel location) =>
        new(descriptor.Id, descriptor.Title.ToString(CultureInfo.InvariantCulture), ImmutableArray.Create(message).ToEquatableArray(), IsError: true, location);

    /// <summary>A C# location as an equatable model (path, span, line positions).</summary>
    private static LocationModel LocationOf(Location? location)
    {
        if (location is null || location == Location.None)
        {
            return LocationModel.FileStart(string.Empty);
        }

        var span = location.GetLineSpan();
        return new LocationModel(
            location.SourceTree?.FilePath ?? span.Path,
            location.SourceSpan.Start,
            location.SourceSpan.Length,
            span.StartLinePosition.Line,
            span.StartLinePosition.Character,
            span.EndLinePosition.Line,
            span.EndLinePosition.Character);
    }
}
