using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>A development-frontier candidate re-run on the held-out split.</summary>
internal sealed record HeldOutResult(SearchEntry<TuneCandidate> Entry, IReadOnlyList<ProblemOutcome> Outcomes, OutcomeSummary Summary);
