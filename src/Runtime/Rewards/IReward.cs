namespace Tts.Runtime.Rewards;

/// <summary>What a reward's values mean, as its declaration says: <c>reward NAME: Score</c> or <c>reward NAME: Prob</c>.</summary>
public enum RewardKind
{
    /// <summary>Any real number (not NaN); larger is better.</summary>
    Score,

    /// <summary>A probability in [0, 1].</summary>
    Prob,
}

/// <summary>
/// A reward declared in a .tts file (<c>reward NAME</c>), evaluated on a batch of texts at once (every particle of
/// a population in one call), so that a reward backed by a model can batch its own forward pass.
/// </summary>
public interface IReward
{
    RewardKind Kind { get; }

    /// <summary>One value per text, in the order of <paramref name="texts"/>.</summary>
    IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts);
}

/// <summary>A verifier declared in a .tts file (<c>verifier NAME</c>): one verdict per text of a batch.</summary>
public interface IVerifier
{
    /// <summary>One verdict per text, in the order of <paramref name="texts"/>.</summary>
    IReadOnlyList<bool> Verify(IReadOnlyList<string> texts);
}

/// <summary>An extractor declared in a .tts file (<c>extractor NAME</c>), e.g. the final answer: one text per text of a batch.</summary>
public interface IExtractor
{
    /// <summary>One extracted text per text, in the order of <paramref name="texts"/>.</summary>
    IReadOnlyList<string> Extract(IReadOnlyList<string> texts);
}
