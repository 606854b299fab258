namespace Tts.Runtime.Execution;

/// <summary>
/// An argument with one value per batched run (e.g. a different question per run, as an evaluation over a test set
/// batches its problems), where a plain argument gives every run the same value. Values must have the parameter's type.
/// </summary>
public sealed record PerRunArgument(IReadOnlyList<object> Values);
