
namespace Tts.Semantics;

/// <summary>
/// The options of <c>sample model(prompt, ...)</c>: names, types, defaults and valid ranges. One table, used
/// by the binder for constants and by the runtime for values that arrive as parameters.
/// </summary>
public static class DecodeOptionRules
{
    public const string Prompt = "prompt";
    public const string Count = "n";
    public const string Temperature = "temperature";
    public const string TopK = "top_k";
    public const string TopP = "top_p";
    public const string MaxTokens = "max_tokens";
    public const string Stop = "stop";
    public const string MinP = "min_p";
    public const string Forbid = "forbid";

    public const long DefaultCount = 1;
    public const double DefaultTemperature = 1.0;
    public const long DefaultTopK = 0;
    public const double DefaultTopP = 1.0;
    public const long DefaultMaxTokens = 256;
    public const double DefaultMinP = 0.0;

    /// <summary>The options of <c>sample</c> and <c>race</c>, in positional order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { Prompt, Count, Temperature, TopK, TopP, MinP, MaxTokens, Stop, Forbid };

    /// <summary>The options of <c>extend ps by model(...)</c>: the population gives the prompt and the count.</summary>
    public static IReadOnlyList<string> StepNames { get; } = new[] { Temperature, TopK, TopP, MinP, MaxTokens, Stop, Forbid };

    public static TtsType TypeOf(string name) => name switch
    {
        Prompt => TtsType.Text,
        Count or TopK or MaxTokens => TtsType.Int,
        Temperature or TopP or MinP => TtsType.Real,
        _ => TtsType.ListOf(TtsType.Text),
    };

    /// <summary>Null when the value is valid, else the expectation in words ("at least 1").</summary>
    public static string? Check(string name, object value) => (name, value) switch
    {
        (Count, long n) when n < 1 => "at least 1",
        (Temperature, double t) when !(t >= 0) || double.IsInfinity(t) => "a finite number at least 0 (0 means greedy)",
        (Temperature, long t) when t < 0 => "a finite number at least 0 (0 means greedy)",
        (TopK, long k) when k < 0 => "at least 0 (0 turns top-k off)",
        (TopP, double p) when !(p > 0 && p <= 1) => "in (0, 1] (1 turns top-p off)",
        (TopP, long p) when p != 1 => "in (0, 1] (1 turns top-p off)",
        (MaxTokens, long m) when m < 1 => "at least 1",
        (MinP, double p) when !(p >= 0 && p < 1) => "in [0, 1) (0 turns min-p off)",
        (MinP, long p) when p != 0 => "in [0, 1) (0 turns min-p off)",
        (Forbid, string s) when s.Length == 0 => "non-empty strings",
        (Forbid, object[] list) when list.OfType<string>().Any(s => s.Length == 0) => "non-empty strings",
        (Stop, string s) when s.Length == 0 => "non-empty strings",
        (Stop, object[] list) when list.OfType<string>().Any(s => s.Length == 0) => "non-empty strings",
        _ => null,
    };

    public static string FormatValue(object value) => Constants.Format(value);
}
