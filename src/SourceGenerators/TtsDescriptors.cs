using Microsoft.CodeAnalysis;

namespace Tts.SourceGenerators;

/// <summary>
/// The language's diagnostic codes (src/Language/Diagnostics/DiagnosticDescriptors.cs) as Roslyn descriptors, one
/// field per code so release tracking (AnalyzerReleases.*.md) sees them. The message is the front end's, already
/// formatted. A test checks this table against the front end's; a code missing here still reports (see Get).
/// </summary>
internal static class TtsDescriptors
{
    public static readonly DiagnosticDescriptor UnexpectedToken = Create("TTS0001", "Syntax error", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnexpectedCharacter = Create("TTS0002", "Unexpected character", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnterminatedString = Create("TTS0003", "Unterminated string", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidEscape = Create("TTS0004", "Invalid escape", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NumberOutOfRange = Create("TTS0005", "Number out of range", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor IncompleteUnicodeEscape = Create("TTS0006", "Incomplete unicode escape", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NestingTooDeep = Create("TTS0007", "Nesting too deep", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateDeclaration = Create("TTS0100", "Duplicate declaration", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownModelKind = Create("TTS0101", "Unknown model kind", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownType = Create("TTS0102", "Unknown type", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UndefinedName = Create("TTS0103", "Undefined name", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UndefinedModel = Create("TTS0104", "Undefined model", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TypeMismatch = Create("TTS0105", "Type mismatch", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownFunction = Create("TTS0106", "Unknown function", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongArgumentCount = Create("TTS0107", "Wrong number of arguments", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownNamedArgument = Create("TTS0108", "Unknown named argument", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateArgument = Create("TTS0109", "Duplicate argument", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PositionalAfterNamed = Create("TTS0110", "Positional argument after named", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingArgument = Create("TTS0111", "Missing argument", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingReturn = Create("TTS0112", "Missing return", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnreachableStatement = Create("TTS0113", "Unreachable statement", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ReturnTypeMismatch = Create("TTS0114", "Return type mismatch", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PopulationUsedAsValue = Create("TTS0115", "Population used as a value", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MixedPopulations = Create("TTS0116", "Values of different populations", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor KeyFromOtherPopulation = Create("TTS0117", "Key from another population", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidOperands = Create("TTS0118", "Invalid operands", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ConstantOutOfRange = Create("TTS0119", "Value out of range", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DefaultNotConstant = Create("TTS0120", "Default not constant", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DivisionByZero = Create("TTS0121", "Division by zero", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PerParticleValueNotAllowed = Create("TTS0122", "Per-particle value not allowed", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ModelUsedAsValue = Create("TTS0123", "Model used as a value", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RecursiveStrategy = Create("TTS0124", "Recursive strategy", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor EffectOutsideBlock = Create("TTS0125", "Effect outside its block", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongBlockTarget = Create("TTS0126", "Update of another population", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownLoopOption = Create("TTS0127", "Unknown option", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingLoopBound = Create("TTS0128", "Unbounded loop", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownMethod = Create("TTS0129", "Unknown method", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ResampleUnweighted = Create("TTS0130", "Resampling an unweighted population", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TwistUnbalanced = Create("TTS0131", "Unbalanced twist", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ClaimBroken = Create("TTS0132", "Claim not met", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownGuarantee = Create("TTS0133", "Unknown guarantee", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BudgetExceeded = Create("TTS0134", "Budget exceeded", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownBudgetResource = Create("TTS0135", "Unknown budget resource", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ForkBranchDependency = Create("TTS0136", "Dependent fork branches", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StatementNotAllowed = Create("TTS0137", "Statement not allowed here", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongFunctionResult = Create("TTS0138", "Wrong result type", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateClause = Create("TTS0139", "Duplicate clause", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotAPopulation = Create("TTS0140", "Not a population", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor KindMismatch = Create("TTS0141", "Numeric kinds mixed", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DuplicateLoopOption = Create("TTS0142", "Duplicate option", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor WrongLoopOperator = Create("TTS0143", "Wrong option operator", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotAModel = Create("TTS0144", "Not a model", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidOperand = Create("TTS0145", "Invalid operand", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidPattern = Create("TTS0146", "Invalid pattern", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor IntegerOverflow = Create("TTS0147", "Integer overflow", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SmcOptionNeedsResampling = Create("TTS0148", "Option needs another resampling rule", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StepSpeculationMisplaced = Create("TTS0149", "Step speculation misplaced", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PopulationDecodedByAnotherModel = Create("TTS0150", "Population decoded by another model", DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnusedPopulation = Create("TTS0200", "Unused population", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnusedLocal = Create("TTS0201", "Unused value", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ScoreWeightWithoutTemperature = Create("TTS0202", "Score weight without temperature", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ResampleWithoutEss = Create("TTS0203", "Resampling without an ESS rule", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor BudgetExceededAtDefaults = Create("TTS0204", "Budget exceeded at the defaults", DiagnosticSeverity.Warning);

    /// <summary>All of them, in code order.</summary>
    public static readonly IReadOnlyList<DiagnosticDescriptor> All = new[]
    {
        UnexpectedToken,
        UnexpectedCharacter,
        UnterminatedString,
        InvalidEscape,
        NumberOutOfRange,
        IncompleteUnicodeEscape,
        NestingTooDeep,
        DuplicateDeclaration,
        UnknownModelKind,
        UnknownType,
        UndefinedName,
        UndefinedModel,
        TypeMismatch,
        UnknownFunction,
        WrongArgumentCount,
        UnknownNamedArgument,
        DuplicateArgument,
        PositionalAfterNamed,
        MissingArgument,
        MissingReturn,
        UnreachableStatement,
        ReturnTypeMismatch,
        PopulationUsedAsValue,
        MixedPopulations,
        KeyFromOtherPopulation,
        InvalidOperands,
        ConstantOutOfRange,
        DefaultNotConstant,
        DivisionByZero,
        PerParticleValueNotAllowed,
        ModelUsedAsValue,
        RecursiveStrategy,
        EffectOutsideBlock,
        WrongBlockTarget,
        UnknownLoopOption,
        MissingLoopBound,
        UnknownMethod,
        ResampleUnweighted,
        TwistUnbalanced,
        ClaimBroken,
        UnknownGuarantee,
        BudgetExceeded,
        UnknownBudgetResource,
        ForkBranchDependency,
        StatementNotAllowed,
        WrongFunctionResult,
        DuplicateClause,
        NotAPopulation,
        KindMismatch,
        DuplicateLoopOption,
        WrongLoopOperator,
        NotAModel,
        InvalidOperand,
        InvalidPattern,
        IntegerOverflow,
        SmcOptionNeedsResampling,
        StepSpeculationMisplaced,
        PopulationDecodedByAnotherModel,
        UnusedPopulation,
        UnusedLocal,
        ScoreWeightWithoutTemperature,
        ResampleWithoutEss,
        BudgetExceededAtDefaults,
    };

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = All.ToDictionary(d => d.Id, StringComparer.Ordinal);

    private static DiagnosticDescriptor Create(string id, string title, DiagnosticSeverity severity) =>
        new(id, title, "{0}", GeneratorDiagnostics.Category, severity, isEnabledByDefault: true);

    /// <summary>The descriptor of a TTS code; a code this table lacks gets one made on the spot rather than being lost.</summary>
    public static DiagnosticDescriptor Get(string id, string title, bool isError) =>
        ById.TryGetValue(id, out var descriptor) && (descriptor.DefaultSeverity == DiagnosticSeverity.Error) == isError
            ? descriptor
            : new DiagnosticDescriptor(id, title, "{0}", GeneratorDiagnostics.Category, isError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, isEnabledByDefault: true);
}
