using Tts.Semantics;

namespace Tts.Runtime.Models;

/// <summary>
/// A next-token model the runtime drives in batches: one decode state holds every particle of a
/// step as one row, so a whole population moves through the model together.
/// </summary>
public interface ILanguageModel : IDisposable
{
    Vocabulary Vocabulary { get; }

    /// <summary>
    /// What this backend offers. A backend that gives full next-token log-probabilities in-process offers everything:
    /// the runtime samples, masks, seeds and scores on them itself. Remote backends declare less.
    /// </summary>
    ModelCapabilities Capabilities => ModelCapabilities.All;

    /// <summary>
    /// An estimate of the memory (host, or device for a model on a GPU) one particle of a decode state takes at its
    /// longest: what the runtime sizes batches by and refuses a run whose particles cannot fit. The default counts a
    /// few next-token vectors over the vocabulary; a transformer adds its KV cache and activations.
    /// </summary>
    long BytesPerParticle => 32L * Vocabulary.Count;

    /// <summary>
    /// The CUDA device (its ordinal) whose memory holds this model's particles, or null when they are in host memory:
    /// the runtime checks <see cref="BytesPerParticle"/> against that device's free memory instead of the host's.
    /// </summary>
    int? CudaDevice => null;

    /// <summary>Tokenizes a prompt; throws <see cref="ModelException"/> when the text cannot be tokenized.</summary>
    int[] Encode(string text);

    /// <summary>
    /// Starts decoding: row r continues <c>prompts[promptOfRow[r]]</c>. Each distinct prompt is
    /// prefilled once and shared by the rows that continue it.
    /// </summary>
    IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow);
}
