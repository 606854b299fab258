using TorchSharp;
using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Populations;

/// <summary>Two-model step speculation: a particle's drafted step replaced by one another model drew.</summary>
public sealed partial class Population
{
    /// <summary>Each run's prompt as the population's model encoded it (empty for a population of finished texts).</summary>
    public IReadOnlyList<int[]> PromptTokens { get; private set; } = [];

    /// <summary>A row's generated tokens in order (held steps are padding), EOS included when it ended with it.</summary>
    public int[] GeneratedTokens(int row)
    {
        using var tokens = _tokens[row].narrow(0, 0, Steps).cpu();
        return tokens.data<long>().ToArray().Where(t => t != PadToken).Select(t => (int)t).ToArray();
    }

    /// <summary>
    /// A population of <paramref name="model"/> laid out as this one (the same runs and particles, nothing generated yet)
    /// whose row r continues <c>prefixes[prefixOfRow[r]]</c>: the prompt and a particle's tokens so far, given as token ids
    /// so that a model sharing the vocabulary continues exactly the particle's tokens.
    /// </summary>
    public Population Continuing(ILanguageModel model, IReadOnlyList<int[]> prefixes, IReadOnlyList<int> prefixOfRow)
    {
        var state = model.Start(prefixes, prefixOfRow);
        return new Population(Runs, ParticlesPerRun, model, state) { PromptTokens = PromptTokens };
    }

    /// <summary>
    /// Replaces the last step of the rows where <paramref name="redraw"/> holds by the tokens <paramref name="redrawn"/>
    /// (a population of the same layout that continued those rows' texts before the step) generated for them: the step's
    /// tokens (written from column <paramref name="stepsBefore"/> on) become padding, the redrawn tokens are appended as new
    /// columns, texts, lengths and done flags follow, and the model state of those rows becomes <paramref name="rebuilt"/>'s
    /// (a state of this population's model that read each redrawn row's prompt and tokens, row for row).
    /// </summary>
    public void ReplaceLastStep(bool[] redraw, int stepsBefore, int[] lengthsBefore, string[] textsBefore, Population redrawn, IDecodeState rebuilt)
    {
        ArgumentNullException.ThrowIfNull(redraw);
        ArgumentNullException.ThrowIfNull(redrawn);
        if (redraw.Length != Rows || redrawn.Rows != Rows || rebuilt.Rows != Rows || textsBefore.Length != Rows || lengthsBefore.Length != Rows || stepsBefore > Steps)
        {
            throw new ArgumentException($"Expected {Rows} rows and at most {Steps} steps.", nameof(redraw));
        }

        // Row r of the new state is row r of this one, or row r of the rebuilt one (after this one's rows).
        var merged = State.Concat(rebuilt);
        try
        {
            using var scope = torch.NewDisposeScope();
            merged.Reorder(torch.tensor(Enumerable.Range(0, Rows).Select(r => redraw[r] ? (long)(Rows + r) : r).ToArray(), ScalarType.Int64));
        }
        catch
        {
            merged.Dispose();
            throw;
        }

        State.Dispose();
        State = merged;
        using (var scope = torch.NewDisposeScope())
        {
            var mask = torch.tensor(redraw).unsqueeze(1);
            var width = Steps - stepsBefore;
            if (width > 0)
            {
                var tail = _tokens.narrow(1, stepsBefore, width);
                tail.masked_fill_(mask.expand(Rows, width), PadToken);
            }

            for (var column = 0; column < redrawn.Steps; column++)
            {
                AppendStep(torch.where(mask.squeeze(1), redrawn._tokens[.., column], torch.tensor(PadToken)));
            }
        }

        for (var row = 0; row < Rows; row++)
        {
            if (redraw[row])
            {
                Texts[row] = textsBefore[row] + redrawn.Texts[row];
                Lengths[row] = lengthsBefore[row] + redrawn.Lengths[row];
                Done[row] = redrawn.Done[row];
            }
        }
    }
}
