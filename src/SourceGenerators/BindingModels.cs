namespace Tts.SourceGenerators;

// Models of the C# side: methods marked [Reward], [Verifier] or [AnswerExtractor]. What the emitter needs carries
// no location, so moving or editing around a bound method regenerates nothing; locations travel separately, for
// diagnostics only.

/// <summary>
/// A C# method bound to a .tts name, as the generated code calls it: the fully qualified containing type, the method,
/// static or instance, per text or batched, and (batched) the parameter type the argument is cast to, which selects
/// this overload. <paramref name="IsValid"/> is false when its signature or shape was reported as wrong: the name
/// counts as bound (no second error in the .tts file) but the generated code leaves it out.
/// </summary>
internal sealed record MethodBindingModel(
    BindingKind Kind,
    string Name,
    string ContainingType,
    string ContainingTypeName,
    string Method,
    bool IsStatic,
    bool IsBatched,
    string ArgumentType,
    bool IsValid);

/// <summary>Where a method is bound to a name: for the duplicate-binding diagnostic.</summary>
internal sealed record BindingSiteModel(BindingKind Kind, string Name, string Method, LocationModel Location);

/// <summary>What one attributed method gives: its bindings (one per attribute), their sites, and its diagnostics.</summary>
internal sealed record AttributedMethodModel(
    EquatableArray<MethodBindingModel> Bindings,
    EquatableArray<BindingSiteModel> Sites,
    EquatableArray<DiagnosticModel> Diagnostics);

/// <summary>A declared function of a file and the method bound to it (null when none is).</summary>
internal sealed record ResolvedFunctionModel(FunctionDeclarationModel Declaration, MethodBindingModel? Method);

/// <summary>
/// Everything the emitter needs for one file. <paramref name="IncludeRun"/> is false when the project does not
/// reference Tts.Runtime: then only the descriptive members (constants, Parameters) are generated.
/// </summary>
internal sealed record GenerationModel(StrategyFileModel File, EquatableArray<ResolvedFunctionModel> Functions, bool IncludeRun);
