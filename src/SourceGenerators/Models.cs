using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Tts.Semantics;

namespace Tts.SourceGenerators;

// Pipeline models: records of strings, numbers and equatable arrays only (no symbols, syntax nodes,
// Roslyn locations or compilations), so each incremental step can be compared with its last value.

/// <summary>A place in a .tts file: path, character span and zero-based line positions of both ends.</summary>
internal sealed record LocationModel(string Path, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static LocationModel FileStart(string path) => new(path, 0, 0, 0, 0, 0, 0);

    public Location ToLocation() =>
        Location.Create(
            Path,
            new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}

/// <summary>
/// A diagnostic to report: a TTS code from the front end (one argument, the finished message) or a TTSG
/// code of the generator (the arguments of its message format).
/// </summary>
internal sealed record DiagnosticModel(string Id, string Title, EquatableArray<string> Arguments, bool IsError, LocationModel Location);

/// <summary>One strategy parameter: its .tts name and type, and the C# property that carries it.</summary>
internal sealed record ParameterModel(string Name, string TtsType, string PropertyName, string CSharpType, string? DefaultLiteral)
{
    public bool IsRequired => DefaultLiteral is null;
}

/// <summary>
/// One strategy of a file, with everything the emitter writes about it. <paramref name="Models"/> and
/// <paramref name="Functions"/> are the declared names it uses (through the strategies it calls too), in declaration order.
/// <paramref name="NotCompiled"/> says why the compiler cannot lower it to C# yet (its run methods then throw), or is null.
/// </summary>
internal sealed record StrategyModel(
    string Name,
    string ClassName,
    EquatableArray<ParameterModel> Parameters,
    string ReturnType,
    string GuaranteeLevel,
    string GuaranteeTarget,
    string GuaranteeReason,
    string Signature,
    EquatableArray<string> Documentation,
    EquatableArray<string> Models,
    EquatableArray<string> Functions,
    string? NotCompiled);

/// <summary>
/// One .tts file: where it is, its text (embedded in the generated code as a constant), the C# class it becomes, its
/// rewards / verifiers / extractors, its strategies, the C# the compiler's emitter wrote for them (the class
/// <c>Tts.Generated.Emitted.&lt;ClassName&gt;</c> the run methods call; empty when the file has errors), and whether it had errors.
/// </summary>
internal sealed record StrategyFileModel(
    string Path,
    string Source,
    string ClassName,
    EquatableArray<FunctionDeclarationModel> Functions,
    EquatableArray<StrategyModel> Strategies,
    string EmittedCode,
    bool HasErrors);

/// <summary>What a declared function is, which is also the attribute that binds a C# method to it.</summary>
internal enum BindingKind
{
    Reward,
    Verifier,
    Extractor,
}

/// <summary>A <c>reward</c>, <c>verifier</c> or <c>extractor</c> declaration of a .tts file; <paramref name="IsProb"/> for <c>reward x: Prob</c>.</summary>
internal sealed record FunctionDeclarationModel(string Name, BindingKind Kind, bool IsProb, LocationModel Location);

/// <summary>What parsing and binding one file gives: the model and, separately, its diagnostics.</summary>
internal sealed record FileResult(StrategyFileModel File, EquatableArray<DiagnosticModel> Diagnostics);

/// <summary>A file that loses a class-name clash to another (earlier in ordinal path order) and generates nothing.</summary>
internal sealed record ClassNameClash(string Path, string ClassName, string WinnerPath);

/// <summary>A file's claim on a generated class name.</summary>
internal sealed record ClassNameClaim(string Path, string ClassName);
