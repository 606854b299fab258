using Tts.Semantics;

namespace Tts.Runtime.Hosting;

/// <summary>
/// What one statement of a strategy needs from the model it calls: <c>extend ps by policy(forbid: ...)</c> inside
/// <c>smc</c> needs the full distribution (the allowed mass of the mask corrects the weight).
/// </summary>
/// <param name="Model">The model's declared name.</param>
/// <param name="Needs">The capabilities the statement cannot run without.</param>
/// <param name="Statement">The statement and region in words, e.g. "`extend` with `forbid` inside `smc` (strategy 'pf')".</param>
/// <param name="Why">Why it needs them, briefly.</param>
public sealed record CapabilityNeed(string Model, ModelCapabilities Needs, string Statement, string Why);
