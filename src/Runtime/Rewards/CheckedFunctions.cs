using System.Globalization;
using Tts.Runtime.Execution;

namespace Tts.Runtime.Rewards;

/// <summary>
/// What <see cref="FunctionBindings"/> hands out: the bound function, its results checked on every call (one per
/// text, each valid for its kind) so that a faulty binding fails where it is called, under the name the .tts file
/// gives it, instead of misaligning values with particles later.
/// </summary>
internal static class BatchResults
{
    /// <param name="what">The binding, for the message: e.g. "reward 'prm' (Prob)".</param>
    /// <param name="invalidReason">Why a value is not acceptable, or null when it is.</param>
    public static IReadOnlyList<T> Check<T>(string what, IReadOnlyList<string> texts, IReadOnlyList<T>? results, Func<T, string?> invalidReason)
    {
        if (results is null)
        {
            throw new RuntimeException($"{what} returned no results for a batch of {texts.Count} texts");
        }

        if (results.Count != texts.Count)
        {
            throw new RuntimeException($"{what} returned {results.Count} results for a batch of {texts.Count} texts (one per text expected)");
        }

        for (var i = 0; i < results.Count; i++)
        {
            if (invalidReason(results[i]) is { } reason)
            {
                throw new RuntimeException($"{what} returned {reason} for text {i}");
            }
        }

        return results;
    }
}

internal sealed class CheckedReward(string name, IReward reward) : IReward
{
    public RewardKind Kind => reward.Kind;

    public IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return BatchResults.Check($"reward '{name}' ({Kind})", texts, reward.Evaluate(texts), InvalidReason);
    }

    private string? InvalidReason(double value) => value switch
    {
        double.NaN => "NaN",
        < 0 or > 1 when Kind == RewardKind.Prob => string.Create(CultureInfo.InvariantCulture, $"{value}, outside [0, 1]"),
        _ => null,
    };
}

internal sealed class CheckedVerifier(string name, IVerifier verifier) : IVerifier
{
    public IReadOnlyList<bool> Verify(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return BatchResults.Check($"verifier '{name}'", texts, verifier.Verify(texts), _ => null);
    }
}

internal sealed class CheckedExtractor(string name, IExtractor extractor) : IExtractor
{
    public IReadOnlyList<string> Extract(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);

        // Implementations in nullable-oblivious code can still return null; "no answer" is the empty text.
        return BatchResults.Check($"extractor '{name}'", texts, extractor.Extract(texts), text => text is null ? "null (return \"\" for no answer)" : null);
    }
}
