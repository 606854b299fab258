namespace Tts.Semantics;

/// <summary>The resources a budget limits: generated tokens, model calls (batched steps), reward calls (per particle scored).</summary>
public enum BudgetResource
{
    Tokens,
    Calls,
    Rewards,
}
