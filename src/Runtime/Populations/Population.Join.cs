using TorchSharp;
using Tts.Runtime.Models;
using static TorchSharp.torch;

namespace Tts.Runtime.Populations;

public sealed partial class Population
{
    /// <summary>
    /// The rows of several populations of the same model and runs as one population to decode in one batch (a fused
    /// decode): run r holds run r's particles of <paramref name="parts"/>[0], then those of parts[1], and so on. It
    /// carries what a decode reads — model state (each row continuing exactly as in its own population, a shared
    /// prompt prefill still shared), texts, lengths and done flags — and starts with an empty token buffer, so after a
    /// decode its buffer holds exactly that decode's tokens. <paramref name="rowsOfPart"/>[i][j] is the joined row of
    /// row j of part i. The parts are left as they are, still owned by the caller; <see cref="TakeDecodedRows"/> hands
    /// each its rows back.
    /// </summary>
    public static Population Join(IReadOnlyList<Population> parts, out long[][] rowsOfPart)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("At least one population is needed.", nameof(parts));
        }

        var (model, runs) = (parts[0].Model, parts[0].Runs);
        if (parts.Any(p => !ReferenceEquals(p.Model, model) || p.Runs != runs))
        {
            throw new ArgumentException("Only populations of the same model and the same runs can be decoded together.", nameof(parts));
        }

        // Joined row → row of the concatenated states (part 0's rows, then part 1's, ...), and each part's rows → joined rows.
        var particles = parts.Sum(p => p.ParticlesPerRun);
        var sources = new long[runs * particles];
        rowsOfPart = new long[parts.Count][];
        var (offset, stateBase) = (0, 0);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            rowsOfPart[i] = new long[part.Rows];
            for (var row = 0; row < part.Rows; row++)
            {
                var joinedRow = part.RunOf(row) * particles + offset + part.ParticleOf(row);
                rowsOfPart[i][row] = joinedRow;
                sources[joinedRow] = stateBase + row;
            }

            offset += part.ParticlesPerRun;
            stateBase += part.Rows;
        }

        var state = ConcatStates(parts);
        Population? joined = null;
        try
        {
            using (var scope = torch.NewDisposeScope())
            {
                state.Reorder(torch.tensor(sources, ScalarType.Int64, parts[0]._logWeights.device));
            }

            joined = new Population(runs, particles, model, state);
            for (var i = 0; i < parts.Count; i++)
            {
                for (var row = 0; row < parts[i].Rows; row++)
                {
                    var target = rowsOfPart[i][row];
                    joined.Texts[target] = parts[i].Texts[row];
                    joined.Lengths[target] = parts[i].Lengths[row];
                    joined.Done[target] = parts[i].Done[row];
                }
            }

            return joined;
        }
        catch
        {
            if (joined is null)
            {
                state.Dispose();
            }
            else
            {
                joined.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// After <paramref name="joined"/> (made by <see cref="Join"/> from this population and others) decoded, this
    /// population takes back its rows, <paramref name="rows"/> of the joined one: their model state, texts, lengths and
    /// done flags, and the first <paramref name="steps"/> token columns of the decode (the steps in which any of its
    /// rows took part) appended to its own — what decoding this population alone would have left. Log-weights,
    /// ancestors, evidence, twists and scores stay as they are: a decode does not touch them.
    /// </summary>
    public void TakeDecodedRows(Population joined, long[] rows, int steps)
    {
        ArgumentNullException.ThrowIfNull(joined);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length != Rows || steps < 0 || steps > joined.Steps)
        {
            throw new ArgumentException($"Expected {Rows} rows and at most {joined.Steps} steps, got {rows.Length} rows and {steps} steps.", nameof(rows));
        }

        // A copy of the joined state's rows for this population's (the joined population keeps and disposes its own).
        using var scope = torch.NewDisposeScope();
        var indices = torch.tensor(rows, ScalarType.Int64, _logWeights.device);
        var state = joined.State.CopyRows(indices);
        try
        {
            var tokens = joined._tokens.index_select(0, indices);
            for (var step = 0; step < steps; step++)
            {
                AppendStep(tokens[.., step]);
            }
        }
        catch
        {
            state.Dispose();
            throw;
        }

        State.Dispose();
        State = state;
        Texts = Array.ConvertAll(rows, row => joined.Texts[row]);
        Lengths = Array.ConvertAll(rows, row => joined.Lengths[row]);
        Done = Array.ConvertAll(rows, row => joined.Done[row]);
    }

    private static IDecodeState ConcatStates(IReadOnlyList<Population> parts)
    {
        var state = parts[0].State.Concat(parts.Count > 1 ? parts[1].State : parts[0].State);
        if (parts.Count == 1)
        {
            // A single part: the concatenation with itself, cut back to its own rows (a copy the caller may own).
            using var scope = torch.NewDisposeScope();
            state.Reorder(torch.arange(parts[0].Rows, ScalarType.Int64, parts[0]._logWeights.device));
            return state;
        }

        foreach (var part in parts.Skip(2))
        {
            var longer = state.Concat(part.State);
            state.Dispose();
            state = longer;
        }

        return state;
    }
}
