using System.Collections.Immutable;

namespace Tts.Semantics;

/// <summary>
/// A built-in text function. Its evaluation lives here, once, so constant folding, the executor and the
/// reference semantics all compute the same thing. Applied to a population, a built-in is lifted: it runs
/// once per particle on that particle's text.
/// </summary>
public sealed class BuiltinFunction
{
    private readonly Func<object[], object> _evaluate;

    private BuiltinFunction(string name, ImmutableArray<TtsType> parameterTypes, TtsType returnType, string description, Func<object[], object> evaluate)
    {
        Name = name;
        ParameterTypes = parameterTypes;
        ReturnType = returnType;
        Description = description;
        _evaluate = evaluate;
    }

    public string Name { get; }

    public ImmutableArray<TtsType> ParameterTypes { get; }

    public TtsType ReturnType { get; }

    public string Description { get; }

    public static BuiltinFunction Len { get; } = Text1("len", TtsType.Int,
        "len(t): number of characters (UTF-16 code units) of t", t => (long)t.Length);

    public static BuiltinFunction Count { get; } = Text2("count", TtsType.Int,
        "count(t, s): number of non-overlapping occurrences of s in t, scanning left to right", CountOccurrences);

    public static BuiltinFunction Contains { get; } = Text2("contains", TtsType.Bool,
        "contains(t, s): whether s occurs in t", (t, s) => t.IndexOf(s, StringComparison.Ordinal) >= 0);

    public static BuiltinFunction EndsWith { get; } = Text2("ends_with", TtsType.Bool,
        "ends_with(t, s): whether t ends with s", (t, s) => t.EndsWith(s, StringComparison.Ordinal));

    public static BuiltinFunction StartsWith { get; } = Text2("starts_with", TtsType.Bool,
        "starts_with(t, s): whether t starts with s", (t, s) => t.StartsWith(s, StringComparison.Ordinal));

    public static BuiltinFunction Matches { get; } = Text2("matches", TtsType.Bool,
        "matches(t, pattern): whether the .NET regular expression pattern matches somewhere in t (culture-invariant, 1 s timeout)",
        MatchesPattern);

    /// <summary>Why <paramref name="pattern"/> is not a valid .NET regular expression, or null when it is.</summary>
    public static string? PatternError(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, MatchTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static object MatchesPattern(string text, string pattern)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(text, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            throw new EvaluationException($"matches: the pattern {Constants.Quote(pattern)} ran past its {MatchTimeout.TotalSeconds:0} s limit on a text of {text.Length} characters (catastrophic backtracking?)", e);
        }
        catch (ArgumentException e)
        {
            throw new EvaluationException($"matches: {Constants.Quote(pattern)} is not a valid regular expression: {e.Message}", e);
        }
    }

    public static BuiltinFunction Answer { get; } = Text1("answer", TtsType.Text,
        "answer(t): the final answer of t: the content of the last \\boxed{...}, else what follows the last \"A:\" on its line, else the last number, else \"\"",
        AnswerExtraction.Extract);

    public static BuiltinFunction Lines { get; } = Text1("lines", TtsType.Int,
        "lines(t): number of lines of t (0 for the empty text)", t => t.Length == 0 ? 0L : (long)(t.Split('\n').Length));

    public static ImmutableArray<BuiltinFunction> All { get; } = ImmutableArray.Create(
        Len, Count, Contains, EndsWith, StartsWith, Matches, Answer, Lines,
        Number("log", TtsType.Real, TtsType.Real, "log(x): natural logarithm", Math.Log),
        Number("log", TtsType.Score, TtsType.LogWeight, "log(s): a Score as a LogWeight: the target is reweighted by s", Math.Log),
        Number("log", TtsType.Prob, TtsType.LogWeight, "log(p): a Prob as a LogWeight", Math.Log),
        Number("exp", TtsType.Real, TtsType.Real, "exp(x): e to the x", Math.Exp),
        Number("abs", TtsType.Real, TtsType.Real, "abs(x): absolute value", Math.Abs),
        Number("sqrt", TtsType.Real, TtsType.Real, "sqrt(x): square root", Math.Sqrt),
        Number("real", TtsType.Score, TtsType.Real, "real(s): the plain number of a Score", x => x),
        Number("real", TtsType.Prob, TtsType.Real, "real(p): the plain number of a Prob", x => x),
        Number("real", TtsType.LogWeight, TtsType.Real, "real(w): the plain number of a LogWeight", x => x),
        Number("real", TtsType.Real, TtsType.Real, "real(x): x as a real", x => x),
        Number("score", TtsType.Real, TtsType.Score, "score(x): a plain number used as a Score", x => x),
        Number("score", TtsType.Prob, TtsType.Score, "score(p): a Prob used as a Score", x => x),
        Number("prob", TtsType.Real, TtsType.Prob, "prob(x): a plain number in [0, 1] used as a Prob (clamped to [0, 1])", x => Math.Min(1.0, Math.Max(0.0, x))),
        Number("weight", TtsType.Real, TtsType.LogWeight, "weight(x): a plain number used as a LogWeight (stating that it changes the target)", x => x),
        new("min", ImmutableArray.Create(TtsType.Real, TtsType.Real), TtsType.Real, "min(x, y): the smaller", a => Math.Min(ToDouble(a[0]), ToDouble(a[1]))),
        new("max", ImmutableArray.Create(TtsType.Real, TtsType.Real), TtsType.Real, "max(x, y): the larger", a => Math.Max(ToDouble(a[0]), ToDouble(a[1]))));

    /// <summary>The first built-in of this name (tests and messages); overloads via <see cref="Overloads"/>.</summary>
    public static BuiltinFunction? Lookup(string name) => All.FirstOrDefault(f => f.Name == name);

    public static ImmutableArray<BuiltinFunction> Overloads(string name) => All.Where(f => f.Name == name).ToImmutableArray();

    public static IEnumerable<string> Names => All.Select(f => f.Name).Distinct();

    /// <summary>
    /// A built-in by its signature (<c>"log(Score) -> LogWeight"</c>): the stable name emitted C# refers to, so
    /// reordering or adding built-ins never changes what compiled strategies call.
    /// </summary>
    public static BuiltinFunction BySignature(string signature) =>
        BySignatureTable.TryGetValue(signature, out var function)
            ? function
            : throw new ArgumentException($"no built-in function has the signature '{signature}'", nameof(signature));

    private static readonly Dictionary<string, BuiltinFunction> BySignatureTable = All.ToDictionary(f => f.Signature, StringComparer.Ordinal);

    public object Evaluate(params object[] arguments) => _evaluate(arguments);

    public string Signature => $"{Name}({string.Join(", ", ParameterTypes)}) -> {ReturnType}";

    private static BuiltinFunction Text1(string name, TtsType result, string description, Func<string, object> f) =>
        new(name, ImmutableArray.Create(TtsType.Text), result, description, a => f((string)a[0]));

    private static BuiltinFunction Text2(string name, TtsType result, string description, Func<string, string, object> f) =>
        new(name, ImmutableArray.Create(TtsType.Text, TtsType.Text), result, description, a => f((string)a[0], (string)a[1]));

    private static BuiltinFunction Number(string name, TtsType parameter, TtsType result, string description, Func<double, double> f) =>
        new(name, ImmutableArray.Create(parameter), result, description, a => f(ToDouble(a[0])));

    private static double ToDouble(object value) => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);

    private static object CountOccurrences(string text, string pattern) => CountNonOverlapping(text, pattern);

    private static long CountNonOverlapping(string text, string pattern)
    {
        // The empty pattern would match everywhere; counting it as 0 keeps count() total and unsurprising.
        if (pattern.Length == 0)
        {
            return 0;
        }

        long count = 0;
        for (var at = text.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = text.IndexOf(pattern, at + pattern.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
