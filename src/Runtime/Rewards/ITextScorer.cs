namespace Tts.Runtime.Rewards;

/// <summary>
/// A learned scorer of whole texts: one score in (0, 1) per text, all texts of a call scored together. The TorchSharp
/// reward model (<see cref="Models.Transformer.TransformerRewardModel"/>) and the same model exported to GGUF and run
/// by llama.cpp (Tts.Engines.Gguf) both are one.
/// </summary>
public interface ITextScorer : IDisposable
{
    /// <summary>Where the model came from (a directory or a file), for messages.</summary>
    string SourceName { get; }

    double[] Score(IReadOnlyList<string> texts);
}
