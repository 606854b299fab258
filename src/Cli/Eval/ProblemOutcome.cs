namespace Tts.Cli.Eval;

/// <summary>What one run spent and gave on one problem: the answer it stated ("" when none) and whether that is right.</summary>
internal sealed record ProblemOutcome(int Problem, bool Correct, string Answer, long Tokens, long RewardCalls, long RedrawnTokens = 0);
