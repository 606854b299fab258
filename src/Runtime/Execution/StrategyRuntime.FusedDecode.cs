using Tts.Runtime.Decoding;
using Tts.Runtime.Populations;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// Sibling decodes as one (<see cref="Compiler.IR.IrFusedDecode"/>): the rows of every population decode together,
    /// one batched model step per token for all, each row keyed by its own decode's stream
    /// (<paramref name="streams"/>[i] for <paramref name="populations"/>[i]) as <see cref="Decode"/> keys it. Randomness
    /// is per row, so each population ends exactly as <see cref="Decode"/> would leave it (texts, state, tokens, and a
    /// row no allowed token could continue dies); tokens spent are the same, model calls fewer. Returns the populations,
    /// decoded in place, in order.
    /// </summary>
    public Population[] DecodeFused(Population[] populations, OptionValues options, int[] streams)
    {
        if (populations.Length != streams.Length)
        {
            throw new ArgumentException($"{populations.Length} populations need as many streams, not {streams.Length}.", nameof(streams));
        }

        using var joined = Population.Join(populations, out var rowsOfPart);
        var keys = new long[joined.Rows];
        for (var i = 0; i < populations.Length; i++)
        {
            var part = populations[i];
            for (var row = 0; row < part.Rows; row++)
            {
                keys[rowsOfPart[i][row]] = RowKey(part, row, streams[i]);
            }
        }

        var request = new DecodeRequest(DecodeGroups(joined, options, Enumerable.Repeat(true, joined.Rows).ToArray()), keys);
        var outcome = PopulationDecoder.Decode(joined, request, Meter, Cancellation);
        for (var i = 0; i < populations.Length; i++)
        {
            var rows = rowsOfPart[i];
            var finishStep = Array.ConvertAll(rows, row => outcome.FinishStep[row]);
            var logAllowedMass = Array.ConvertAll(rows, row => outcome.LogAllowedMass[row]);

            // Alone, a decode runs until its last row leaves: one token column per step up to that one.
            populations[i].TakeDecodedRows(joined, rows, finishStep.DefaultIfEmpty(-1).Max() + 1);
            KillUnplaceable(populations[i], new DecodeOutcome(logAllowedMass, finishStep));
        }

        return populations;
    }
}
