using System.Globalization;

namespace Tts.Runtime.Sampling;

/// <summary>
/// How a next-token law is reshaped before sampling: temperature (0 = greedy), then top-k
/// (0 = off), then top-p (1 = off), then min-p (0 = off).
/// </summary>
public sealed record SamplingOptions(double Temperature = 1.0, int TopK = 0, double TopP = 1.0, double MinP = 0.0)
{
    public bool IsGreedy => Temperature == 0.0;

    /// <summary>Whether top-k, top-p or min-p can remove a token of a vocabulary of this size (temperature removes none).</summary>
    public bool Truncates(long vocabularySize) => (TopK > 0 && TopK < vocabularySize) || TopP < 1.0 || MinP > 0.0;

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the first bad option.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Temperature) || Temperature < 0.0)
        {
            throw new ArgumentException($"temperature must be a finite number ≥ 0 (0 = greedy), got {Format(Temperature)}.");
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"top_k must be ≥ 0 (0 = off), got {TopK}.");
        }

        if (!(TopP > 0.0 && TopP <= 1.0))
        {
            throw new ArgumentException($"top_p must be in (0, 1] (1 = off), got {Format(TopP)}.");
        }

        if (!(MinP >= 0.0 && MinP <= 1.0))
        {
            throw new ArgumentException($"min_p must be in [0, 1] (0 = off), got {Format(MinP)}.");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
