using Tts.Runtime.Models;
using Tts.Serving.Protocol;
using Tts.Serving.Scheduling;

namespace Tts.Serving.Hosting;

/// <summary>What the endpoints share: the served models, their schedulers, the reward models and the limits.</summary>
internal sealed class ServerState(
    IReadOnlyDictionary<string, ILanguageModel> models,
    IReadOnlyDictionary<string, ModelScheduler> schedulers,
    IReadOnlyDictionary<string, ServedReward> rewards,
    ServerOptions options)
{
    public IReadOnlyDictionary<string, ILanguageModel> Models { get; } = models;

    public IReadOnlyDictionary<string, ServedReward> Rewards { get; } = rewards;

    public ServerOptions Options { get; } = options;

    /// <summary>Serializes each reward model's forward passes (one network, one caller at a time).</summary>
    public object RewardLock(string name) => Rewards[name];

    public IEnumerable<string> AllNames => Models.Keys.Concat(Rewards.Keys).Order(StringComparer.Ordinal);

    public (ILanguageModel Model, ModelScheduler Scheduler) LanguageModel(string name) =>
        Models.TryGetValue(name, out var model)
            ? (model, schedulers[name])
            : Rewards.ContainsKey(name)
                ? throw ApiException.Invalid("model", $"'{name}' is a reward model: score texts with POST /pooling.")
                : throw ApiException.ModelNotFound(name, AllNames);

    public ServedReward Reward(string name) =>
        Rewards.TryGetValue(name, out var reward)
            ? reward
            : Models.ContainsKey(name)
                ? throw ApiException.Invalid("model", $"'{name}' is a language model, not a reward model: use POST /v1/completions.")
                : throw ApiException.ModelNotFound(name, AllNames);

    /// <summary>A seed for a request that sends none (then a rerun differs, as with OpenAI).</summary>
    public static ulong FreshSeed() => (ulong)Random.Shared.NextInt64();
}
