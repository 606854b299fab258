using System.Collections.Immutable;
using Tts.Language.Binding.Types;

namespace Tts.Language.Binding;

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

    public static BuiltinFunction Len { get; } = new("len", ImmutableArray.Create(TtsType.Text), TtsType.Int,
        "len(t): number of characters (UTF-16 code units) of t",
        a => (long)((string)a[0]).Length);

    public static BuiltinFunction Count { get; } = new("count", ImmutableArray.Create(TtsType.Text, TtsType.Text), TtsType.Int,
        "count(t, s): number of non-overlapping occurrences of s in t, scanning left to right",
        a => CountOccurrences((string)a[0], (string)a[1]));

    public static BuiltinFunction Contains { get; } = new("contains", ImmutableArray.Create(TtsType.Text, TtsType.Text), TtsType.Bool,
        "contains(t, s): whether s occurs in t",
        a => ((string)a[0]).IndexOf((string)a[1], StringComparison.Ordinal) >= 0);

    public static BuiltinFunction EndsWith { get; } = new("ends_with", ImmutableArray.Create(TtsType.Text, TtsType.Text), TtsType.Bool,
        "ends_with(t, s): whether t ends with s",
        a => ((string)a[0]).EndsWith((string)a[1], StringComparison.Ordinal));

    public static ImmutableArray<BuiltinFunction> All { get; } = ImmutableArray.Create(Len, Count, Contains, EndsWith);

    public static BuiltinFunction? Lookup(string name) => All.FirstOrDefault(f => f.Name == name);

    public object Evaluate(params object[] arguments) => _evaluate(arguments);

    public string Signature => $"{Name}({string.Join(", ", ParameterTypes)}) -> {ReturnType}";

    private static long CountOccurrences(string text, string pattern)
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
