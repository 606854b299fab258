using Tts.Runtime.Rewards;

namespace Tts.Serving;

/// <summary>
/// A reward served on <c>/pooling</c>: the scorer, and how many tokens a text costs (for <c>usage</c>; null counts 0).
/// Texts come whole (question and steps), so the reward is bound without a prompt of its own.
/// </summary>
public sealed record ServedReward(IReward Reward, Func<string, int>? CountTokens = null);
