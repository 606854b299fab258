namespace Tts.Compiler.Emit;

/// <summary>Where the generated class goes and what its header says.</summary>
/// <param name="Namespace">The namespace of the generated class.</param>
/// <param name="ClassName">The static class holding one pair of methods per strategy.</param>
/// <param name="Source">What the code was generated from (a file name and level), for the header comment; null for none.</param>
/// <param name="IsPublic">False makes the class internal: how the source generator emits it, as an implementation detail of the
/// consumer's assembly rather than part of its API (and so without the XML docs public types would need).</param>
public sealed record CSharpEmitOptions(string Namespace = "Tts.Generated", string ClassName = "Strategies", string? Source = null, bool IsPublic = true);
