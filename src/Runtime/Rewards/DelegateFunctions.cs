namespace Tts.Runtime.Rewards;

/// <summary>A reward from a C# delegate, computed text by text or on the whole batch at once.</summary>
public sealed class DelegateReward : IReward
{
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<double>> _evaluate;

    private DelegateReward(RewardKind kind, Func<IReadOnlyList<string>, IReadOnlyList<double>> evaluate)
    {
        Kind = kind;
        _evaluate = evaluate;
    }

    public RewardKind Kind { get; }

    /// <summary>A reward computed text by text.</summary>
    public static DelegateReward PerText(RewardKind kind, Func<string, double> reward)
    {
        ArgumentNullException.ThrowIfNull(reward);
        return new(kind, texts => texts.Select(reward).ToArray());
    }

    /// <summary>A reward computed on the whole batch at once; it must return one value per text.</summary>
    public static DelegateReward Batched(RewardKind kind, Func<IReadOnlyList<string>, IReadOnlyList<double>> reward) =>
        new(kind, reward ?? throw new ArgumentNullException(nameof(reward)));

    public IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts) => _evaluate(texts);
}

/// <summary>A verifier from a C# delegate, run text by text or on the whole batch at once.</summary>
public sealed class DelegateVerifier : IVerifier
{
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<bool>> _verify;

    private DelegateVerifier(Func<IReadOnlyList<string>, IReadOnlyList<bool>> verify) => _verify = verify;

    /// <summary>A verifier run text by text.</summary>
    public static DelegateVerifier PerText(Func<string, bool> verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return new(texts => texts.Select(verifier).ToArray());
    }

    /// <summary>A verifier run on the whole batch at once; it must return one verdict per text.</summary>
    public static DelegateVerifier Batched(Func<IReadOnlyList<string>, IReadOnlyList<bool>> verifier) =>
        new(verifier ?? throw new ArgumentNullException(nameof(verifier)));

    public IReadOnlyList<bool> Verify(IReadOnlyList<string> texts) => _verify(texts);
}

/// <summary>An extractor from a C# delegate, run text by text or on the whole batch at once.</summary>
public sealed class DelegateExtractor : IExtractor
{
    private readonly Func<IReadOnlyList<string>, IReadOnlyList<string>> _extract;

    private DelegateExtractor(Func<IReadOnlyList<string>, IReadOnlyList<string>> extract) => _extract = extract;

    /// <summary>An extractor run text by text.</summary>
    public static DelegateExtractor PerText(Func<string, string> extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        return new(texts => texts.Select(extractor).ToArray());
    }

    /// <summary>An extractor run on the whole batch at once; it must return one text per text.</summary>
    public static DelegateExtractor Batched(Func<IReadOnlyList<string>, IReadOnlyList<string>> extractor) =>
        new(extractor ?? throw new ArgumentNullException(nameof(extractor)));

    public IReadOnlyList<string> Extract(IReadOnlyList<string> texts) => _extract(texts);
}
