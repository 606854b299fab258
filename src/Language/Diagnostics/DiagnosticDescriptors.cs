namespace Tts.Language.Diagnostics;

/// <summary>
/// Every diagnostic code of the language, in one place. Codes are stable: never renumber or reuse one;
/// retire a code by leaving its line commented. TTS00xx syntax, TTS01xx binding and types,
/// TTS02xx warnings. Messages say what is wrong and how to fix it.
/// </summary>
public static class DiagnosticDescriptors
{
    // Syntax
    public static readonly DiagnosticDescriptor UnexpectedToken = Error("TTS0001", "Syntax error", "{0}");
    public static readonly DiagnosticDescriptor UnexpectedCharacter = Error("TTS0002", "Unexpected character",
        "unexpected character '{0}'; it cannot start any token of the language");
    public static readonly DiagnosticDescriptor UnterminatedString = Error("TTS0003", "Unterminated string",
        "this string is not closed: add '\"' before the end of the line (write \\n for a line break)");
    public static readonly DiagnosticDescriptor InvalidEscape = Error("TTS0004", "Invalid escape",
        "unknown escape '\\{0}' in a string: use \\n, \\t, \\r, \\\", \\\\ or \\u followed by four hex digits");
    public static readonly DiagnosticDescriptor NumberOutOfRange = Error("TTS0005", "Number out of range",
        "the number {0} does not fit in a {1}");
    public static readonly DiagnosticDescriptor IncompleteUnicodeEscape = Error("TTS0006", "Incomplete unicode escape",
        "\\u needs exactly four hex digits, as in \\u00e9");
    public static readonly DiagnosticDescriptor NestingTooDeep = Error("TTS0007", "Nesting too deep",
        "this {0} nests deeper than {1} levels: split it with `let` bindings or a helper strategy");

    // Declarations and names
    public static readonly DiagnosticDescriptor DuplicateDeclaration = Error("TTS0100", "Duplicate declaration",
        "'{0}' is already declared at line {1}: choose another name");
    public static readonly DiagnosticDescriptor UnknownModelKind = Error("TTS0101", "Unknown model kind",
        "unknown model kind '{0}': write `model {1}: lm`");
    public static readonly DiagnosticDescriptor UnknownType = Error("TTS0102", "Unknown type",
        "unknown type '{0}'{1}: the types are text, int, real, bool, population, LogWeight, Score and Prob");
    public static readonly DiagnosticDescriptor UndefinedName = Error("TTS0103", "Undefined name",
        "'{0}' is not defined here{1}");
    public static readonly DiagnosticDescriptor UndefinedModel = Error("TTS0104", "Undefined model",
        "'{0}' is not a declared model: declare it with `model {0}: lm` at the top of the file{1}");
    public static readonly DiagnosticDescriptor TypeMismatch = Error("TTS0105", "Type mismatch",
        "{0} must be {1}, but this is {2}{3}");
    public static readonly DiagnosticDescriptor UnknownFunction = Error("TTS0106", "Unknown function",
        "unknown function '{0}'{1}");
    public static readonly DiagnosticDescriptor WrongArgumentCount = Error("TTS0107", "Wrong number of arguments",
        "'{0}' takes {1}, but {2} given");
    public static readonly DiagnosticDescriptor UnknownNamedArgument = Error("TTS0108", "Unknown named argument",
        "'{0}' has no argument named '{1}'{2}");
    public static readonly DiagnosticDescriptor DuplicateArgument = Error("TTS0109", "Duplicate argument",
        "argument '{0}' is given twice: keep one");
    public static readonly DiagnosticDescriptor PositionalAfterNamed = Error("TTS0110", "Positional argument after named",
        "positional arguments must come before named ones: name this argument or move it forward");
    public static readonly DiagnosticDescriptor MissingArgument = Error("TTS0111", "Missing argument",
        "'{0}' needs {1}");

    // Strategy bodies
    public static readonly DiagnosticDescriptor MissingReturn = Error("TTS0112", "Missing return",
        "strategy '{0}' never returns a value: end its body with `return ...`");
    public static readonly DiagnosticDescriptor UnreachableStatement = Error("TTS0113", "Unreachable statement",
        "this statement comes after `return` and would never run: remove it or move the return down");
    public static readonly DiagnosticDescriptor ReturnTypeMismatch = Error("TTS0114", "Return type mismatch",
        "strategy '{0}' is declared to return {1}, but this expression is {2}");
    public static readonly DiagnosticDescriptor PopulationUsedAsValue = Error("TTS0115", "Population used as a value",
        "'{0}' is a population of particles, not a single {1}: choose one with sample({0}), best({0}, by: ...) or vote({0}, key: ...)");
    public static readonly DiagnosticDescriptor MixedPopulations = Error("TTS0116", "Values of different populations",
        "values of population '{0}' and population '{1}' cannot be combined particle by particle");
    public static readonly DiagnosticDescriptor KeyFromOtherPopulation = Error("TTS0117", "Key from another population",
        "the {0} of {1}({2}, ...) must be computed from '{2}', but it uses population '{3}'");
    public static readonly DiagnosticDescriptor InvalidOperands = Error("TTS0118", "Invalid operands",
        "operator '{0}' cannot be applied to {1} and {2}{3}");
    public static readonly DiagnosticDescriptor ConstantOutOfRange = Error("TTS0119", "Value out of range",
        "{0} must be {1}, but it is {2}");
    public static readonly DiagnosticDescriptor DefaultNotConstant = Error("TTS0120", "Default not constant",
        "the default of parameter '{0}' must be a constant (a literal, or arithmetic on literals)");
    public static readonly DiagnosticDescriptor DivisionByZero = Error("TTS0121", "Division by zero",
        "this divides by the constant zero");
    public static readonly DiagnosticDescriptor PerParticleValueNotAllowed = Error("TTS0122", "Per-particle value not allowed",
        "{0} must be a single value, but this is a value per particle of population '{1}'");
    public static readonly DiagnosticDescriptor ModelUsedAsValue = Error("TTS0123", "Model used as a value",
        "'{0}' is a model: use it as `sample {0}(prompt, ...)`");

    // Language v1: declarations, blocks, effects, guarantees, budgets
    public static readonly DiagnosticDescriptor RecursiveStrategy = Error("TTS0124", "Recursive strategy",
        "strategy calls form a cycle ({0}): a strategy cannot call itself, directly or through others");
    public static readonly DiagnosticDescriptor EffectOutsideBlock = Error("TTS0125", "Effect outside its block",
        "`{0}` is only allowed {1}");
    public static readonly DiagnosticDescriptor WrongBlockTarget = Error("TTS0126", "Update of another population",
        "`{0}` updates '{1}', but this block runs over '{2}': a block can only update its own population");
    public static readonly DiagnosticDescriptor UnknownLoopOption = Error("TTS0127", "Unknown option",
        "'{0}' is not an option of {1}{2}");
    public static readonly DiagnosticDescriptor MissingLoopBound = Error("TTS0128", "Unbounded loop",
        "{0} needs a bound: add `{1}` (every loop of the language is bounded)");
    public static readonly DiagnosticDescriptor UnknownMethod = Error("TTS0129", "Unknown method",
        "unknown {0} '{1}': use {2}{3}");
    public static readonly DiagnosticDescriptor ResampleUnweighted = Error("TTS0130", "Resampling an unweighted population",
        "this smc block resamples '{0}', but nothing in it weights '{0}': add `factor`, `observe` or `condition`, or remove `resample`");
    public static readonly DiagnosticDescriptor TwistUnbalanced = Error("TTS0131", "Unbalanced twist",
        "'{0}' is twisted twice in one smc step: keep one `twist` per block (each step replaces the previous twist, and the last one is removed when the block ends)");
    public static readonly DiagnosticDescriptor ClaimBroken = Error("TTS0132", "Claim not met",
        "strategy '{0}' claims {1}, but this makes it {2}: {3}");
    public static readonly DiagnosticDescriptor UnknownGuarantee = Error("TTS0133", "Unknown guarantee",
        "unknown guarantee '{0}': claim exact, consistent or heuristic{1}");
    public static readonly DiagnosticDescriptor BudgetExceeded = Error("TTS0134", "Budget exceeded",
        "strategy '{0}' can spend {1} <= {2}, more than its budget {1} <= {3}: raise the budget or lower n, steps or max_tokens");
    public static readonly DiagnosticDescriptor UnknownBudgetResource = Error("TTS0135", "Unknown budget resource",
        "unknown budget resource '{0}': limit tokens, calls or rewards{1}");
    public static readonly DiagnosticDescriptor ForkBranchDependency = Error("TTS0136", "Dependent fork branches",
        "'{0}' is computed by another branch of this fork, and branches are independent: move this statement after the fork");
    public static readonly DiagnosticDescriptor StatementNotAllowed = Error("TTS0137", "Statement not allowed here",
        "`{0}` is not allowed {1}");
    public static readonly DiagnosticDescriptor WrongFunctionResult = Error("TTS0138", "Wrong result type",
        "{0} returns {1}, not {2}");
    public static readonly DiagnosticDescriptor DuplicateClause = Error("TTS0139", "Duplicate clause",
        "strategy '{0}' has more than one `{1}` clause: merge them into one");
    public static readonly DiagnosticDescriptor NotAPopulation = Error("TTS0140", "Not a population",
        "'{0}' is not a population: {1} works on a name declared with `population`");
    public static readonly DiagnosticDescriptor KindMismatch = Error("TTS0141", "Numeric kinds mixed",
        "{0} must be {1}, but this is {2}: {3}");
    public static readonly DiagnosticDescriptor DuplicateLoopOption = Error("TTS0142", "Duplicate option",
        "option '{0}' is given twice: keep one");
    public static readonly DiagnosticDescriptor WrongLoopOperator = Error("TTS0143", "Wrong option operator",
        "write `{0}`");
    public static readonly DiagnosticDescriptor NotAModel = Error("TTS0144", "Not a model",
        "'{0}' is {1}, not a model: {2} needs a name declared with `model NAME: lm`");
    public static readonly DiagnosticDescriptor InvalidOperand = Error("TTS0145", "Invalid operand",
        "operator '{0}' cannot be applied to {1}{2}");
    public static readonly DiagnosticDescriptor InvalidPattern = Error("TTS0146", "Invalid pattern",
        "{0} is not a valid regular expression: {1}");
    public static readonly DiagnosticDescriptor IntegerOverflow = Error("TTS0147", "Integer overflow",
        "this constant arithmetic overflows: {0}");
    public static readonly DiagnosticDescriptor SmcOptionNeedsResampling = Error("TTS0148", "Option needs another resampling rule",
        "{0}: {1}");
    public static readonly DiagnosticDescriptor StepSpeculationMisplaced = Error("TTS0149", "Step speculation misplaced",
        "{0}");
    public static readonly DiagnosticDescriptor PopulationDecodedByAnotherModel = Error("TTS0150", "Population decoded by another model",
        "population '{0}' is decoded by model '{1}'; a step by '{2}' cannot continue it: spawn a population for '{2}', or redraw a step with `reextend {0} where ... by {2}(...)`");

    // Warnings
    public static readonly DiagnosticDescriptor UnusedPopulation = Warning("TTS0200", "Unused population",
        "population '{0}' is sampled but never used: its tokens are spent for nothing");
    public static readonly DiagnosticDescriptor UnusedLocal = Warning("TTS0201", "Unused value",
        "'{0}' is computed but never used");

    public static readonly DiagnosticDescriptor ScoreWeightWithoutTemperature = Warning("TTS0202", "Score weight without temperature",
        "a Score becomes a LogWeight here with no temperature, so the target is reweighted by the score itself: write log(s) / tau with a parameter tau to say how strongly it reshapes the target");
    public static readonly DiagnosticDescriptor ResampleWithoutEss = Warning("TTS0203", "Resampling without an ESS rule",
        "this smc block resamples at every one of up to {0} steps: without `ess < 0.5` the particles' paths collapse onto few ancestors");
    public static readonly DiagnosticDescriptor BudgetExceededAtDefaults = Warning("TTS0204", "Budget exceeded at the defaults",
        "at its default parameters, strategy '{0}' can spend {1} <= {2}, more than its budget {1} <= {3}: such runs are stopped when they reach the budget");

    /// <summary>All descriptors, for tests that check codes are unique and documented.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
        typeof(DiagnosticDescriptors).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

    private static DiagnosticDescriptor Error(string id, string title, string format) =>
        new(id, DiagnosticSeverity.Error, title, format);

    private static DiagnosticDescriptor Warning(string id, string title, string format) =>
        new(id, DiagnosticSeverity.Warning, title, format);
}
