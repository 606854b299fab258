using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Testing.Oracle;

/// <summary>
/// One value a strategy can return (a string, long, double or bool), or <see cref="None"/> when a run returns
/// nothing (a rejection sampler without fallback that accepted nothing).
/// </summary>
public readonly record struct Outcome(object? Value)
{
    public static Outcome None => default;

    public bool IsNone => Value is null;

    public override string ToString() => Value is null ? "(no output)" : Value is string s ? Constants.Quote(s) : Constants.Format(Value);
}
