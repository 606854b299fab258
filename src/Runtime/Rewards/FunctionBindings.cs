using Tts.Runtime.Execution;

namespace Tts.Runtime.Rewards;

/// <summary>
/// The rewards, verifiers and extractors a run uses, by the names the .tts file declares. They share one namespace,
/// as declarations do: a name is bound once, to one kind. What <c>Reward</c>, <c>Verifier</c> and <c>Extractor</c>
/// return checks every batch's results (one per text; a Prob in [0, 1]; no NaN; no null text) and names the binding
/// in its errors.
/// </summary>
public sealed class FunctionBindings
{
    private readonly Dictionary<string, (string Kind, object Function)> _bindings = new(StringComparer.Ordinal);

    public FunctionBindings BindReward(string name, IReward reward) => Bind(name, "reward", reward);

    public FunctionBindings BindVerifier(string name, IVerifier verifier) => Bind(name, "verifier", verifier);

    public FunctionBindings BindExtractor(string name, IExtractor extractor) => Bind(name, "extractor", extractor);

    /// <summary>Whether anything is bound to <paramref name="name"/> (of any kind).</summary>
    public bool IsBound(string name) => _bindings.ContainsKey(name);

    /// <summary>The reward bound to <paramref name="name"/>, whose declared kind (Score or Prob) must match.</summary>
    public IReward Reward(string name, RewardKind declaredKind)
    {
        var reward = Resolve<IReward>(name, "reward");
        if (reward.Kind != declaredKind)
        {
            throw new RuntimeException($"reward '{name}' is declared {declaredKind} but bound to a {reward.Kind} reward");
        }

        return new CheckedReward(name, reward);
    }

    public IVerifier Verifier(string name) => new CheckedVerifier(name, Resolve<IVerifier>(name, "verifier"));

    public IExtractor Extractor(string name) => new CheckedExtractor(name, Resolve<IExtractor>(name, "extractor"));

    private FunctionBindings Bind(string name, string kind, object function)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(function);
        if (_bindings.TryGetValue(name, out var existing))
        {
            throw new RuntimeException($"'{name}' is already bound (as {Article(existing.Kind)}): bind each name once");
        }

        _bindings.Add(name, (kind, function));
        return this;
    }

    private T Resolve<T>(string name, string kind)
    {
        if (!_bindings.TryGetValue(name, out var binding))
        {
            var bound = _bindings.Count == 0 ? "" : $" (bound: {string.Join(", ", _bindings.Keys.Order(StringComparer.Ordinal))})";
            throw new RuntimeException($"{kind} '{name}' is not bound: bind it with FunctionBindings.Bind{Capitalized(kind)}(\"{name}\", ...){bound}");
        }

        return binding.Function is T function
            ? function
            : throw new RuntimeException($"'{name}' is bound to {Article(binding.Kind)}, but the program uses it as {Article(kind)}");
    }

    private static string Article(string kind) => (kind[0] is 'e' ? "an " : "a ") + kind;

    private static string Capitalized(string kind) => char.ToUpperInvariant(kind[0]) + kind[1..];
}
