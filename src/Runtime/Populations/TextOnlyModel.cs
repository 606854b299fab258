using TorchSharp;
using Tts.Runtime.Models;

namespace Tts.Runtime.Populations;

/// <summary>
/// The model of a population of finished texts (<see cref="Population.FromTexts"/>): it has no next-token law, so
/// extending such a population is an error with a clear message rather than a silent restart.
/// </summary>
internal sealed class TextOnlyModel : ILanguageModel
{
    public static TextOnlyModel Instance { get; } = new();

    public Vocabulary Vocabulary { get; } = new(["<eos>"], 0);

    public int[] Encode(string text) => throw NoModel();

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => throw NoModel();

    public void Dispose()
    {
    }

    internal static InvalidOperationException NoModel() =>
        new("this population holds finished texts (results of repeat), not model states: it cannot be extended");
}

/// <summary>The rows of a text-only population: they move (reorder, concat) but never decode.</summary>
internal sealed class TextOnlyState(int rows) : IDecodeState
{
    public int Rows { get; private set; } = rows;

    public torch.Tensor NextLogProbs() => throw TextOnlyModel.NoModel();

    public void Append(torch.Tensor tokens, bool[]? hold = null) => throw TextOnlyModel.NoModel();

    public void Reorder(torch.Tensor rowIndices) => Rows = (int)rowIndices.shape[0];

    public IDecodeState Concat(IDecodeState other) => new TextOnlyState(Rows + other.Rows);

    public void Dispose()
    {
    }
}
