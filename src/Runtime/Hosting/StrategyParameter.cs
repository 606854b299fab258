using Tts.Semantics;

namespace Tts.Runtime.Hosting;

/// <summary>
/// A parameter of a runnable strategy: its .tts name, its type (<c>text</c>, <c>int</c>, <c>real</c> or <c>bool</c>) and
/// its default (null: the caller must give a value). Values are string for text, long for int, double for real, bool for bool.
/// </summary>
public sealed record StrategyParameter(string Name, TtsType Type, object? Default = null);
