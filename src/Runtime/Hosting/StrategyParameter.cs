namespace Tts.Runtime.Hosting;

/// <summary>A parameter of a hosted strategy: its .tts name and type (<c>text</c>, <c>int</c>, <c>real</c> or <c>bool</c>).</summary>
public sealed record StrategyParameter(string Name, string Type);
