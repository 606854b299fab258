using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>Where the last <c>extend</c> of an smc step began, per population: what <c>reextend</c> and <c>step_logp</c> read.</summary>
    private sealed record StepMark(int StepsBefore, int[] LengthsBefore, string[] TextsBefore, bool[] Rows);

    private readonly Dictionary<Population, StepMark> _stepMarks = new();

    /// <summary>A key apart from the decoding keys for the acceptance uniforms of <c>reextend</c>.</summary>
    private const uint AcceptanceLane = 0xACCE97u;

    private void MarkStep(Population population, bool[] rows) =>
        _stepMarks[population] = new StepMark(population.Steps, (int[])population.Lengths.Clone(), (string[])population.Texts.Clone(), rows);

    private StepMark MarkOf(Population population, string what) =>
        _stepMarks.TryGetValue(population, out var mark) && mark.Rows.Length == population.Rows
            ? mark
            : throw new RuntimeException($"{what} reads the step an extend of this smc step gave, and there is none");

    /// <summary>
    /// <c>reextend</c> (two-model step speculation): the particles of the step whose <paramref name="condition"/> holds, or
    /// whose uniform is at least <paramref name="acceptance"/>, lose the step the last extend drafted and redraw it from
    /// <paramref name="model"/>, which decodes only those particles (after one prefill of their texts); the draft model
    /// then reads the redrawn steps (one more prefill). With <paramref name="exact"/>, an acceptance above 1 stops the run.
    /// </summary>
    public Population Reextend(
        Population population, string model, OptionValues options, BatchValue? condition, BatchValue? acceptance, bool exact, int stream, int blockStep)
    {
        var mark = MarkOf(population, "reextend");
        var redraw = new bool[population.Rows];
        for (var row = 0; row < redraw.Length; row++)
        {
            if (!mark.Rows[row])
            {
                continue;
            }

            if (condition is not null)
            {
                redraw[row] = (bool)ValueAt(population, condition, row);
                continue;
            }

            var a = ToDouble(ValueAt(population, acceptance!, row));
            var where = $"run {RunIndexOf(population.RunOf(row))}, particle {population.ParticleNumberOf(row)}";
            if (double.IsNaN(a))
            {
                throw new RuntimeException($"{where}: the acceptance probability of reextend is NaN");
            }

            if (exact && a > 1.0)
            {
                throw new RuntimeException(
                    $"{where}: the acceptance probability of reextend is {Constants.Format(a)} > 1: the bound M does not bound this step's likelihood ratio, so the step would not follow '{model}' exactly; raise the bound");
            }

            var u = CounterRandom.Uniform(CounterRandom.Combine(RowKey(population, row, stream), AcceptanceLane), blockStep, 0);
            redraw[row] = u >= a;
        }

        if (!redraw.Any(r => r))
        {
            return population;
        }

        var redrawing = Models.Resolve(model);
        RequireSameVocabulary(population, redrawing, $"reextend by '{model}'");
        var (prefixes, prefixOfRow) = RedrawPrefixes(population, redraw, row => TextBefore(population, mark, row));
        var perRun = CountPerRun(Enumerable.Range(0, redraw.Length).Where(r => redraw[r]).Select(population.RunOf));
        using var redrawn = population.Continuing(redrawing, prefixes, prefixOfRow);
        Meter.Call(perRun);
        var keys = RowKeys(population, stream, blockStep);

        var meter = new RedrawMeter(Meter);
        var outcome = PopulationDecoder.Decode(redrawn, new DecodeRequest(DecodeGroups(redrawn, options, redraw), keys, KeepStop: true), meter, Cancellation);

        // The draft model reads each redrawn step, so that the next step drafts after it.
        var eos = population.Model.Vocabulary.EosId;
        var (read, readOfRow) = RedrawPrefixes(population, redraw, row => TextBefore(population, mark, row).Concat(redrawn.GeneratedTokens(row).Where(t => t != eos)).ToArray());
        using var rebuilt = population.Model.Start(read, readOfRow);
        Meter.Call(perRun);
        population.ReplaceLastStep(redraw, mark.StepsBefore, mark.LengthsBefore, mark.TextsBefore, redrawn, rebuilt);
        KillUnplaceable(population, outcome);
        return population;
    }

    /// <summary>
    /// <c>step_logp(M, ps)</c>: the log-probability <paramref name="model"/> gives each particle's last step (its own tokens,
    /// EOS included) after its prompt and earlier tokens; 0 for particles the step did not extend. One reward call each.
    /// </summary>
    public BatchValue StepLogProb(string model, Population population)
    {
        var mark = MarkOf(population, $"step_logp({model}, ...)");
        var scorer = Models.Resolve(model);
        RequireSameVocabulary(population, scorer, $"step_logp({model}, ...)");
        var rows = Enumerable.Range(0, population.Rows).Where(r => mark.Rows[r]).ToArray();
        var contexts = rows.Select(row => TextBefore(population, mark, row)).ToList();
        var steps = rows.Select(row => population.GeneratedTokens(row).Skip(mark.LengthsBefore[row]).ToArray()).ToList();
        var scores = SequenceScorer.LogProbs(scorer, contexts, steps);
        var result = new object[population.Rows];
        Array.Fill(result, 0.0);
        for (var i = 0; i < rows.Length; i++)
        {
            result[rows[i]] = scores[i];
        }

        Meter.Rewards(CountPerRun(rows.Select(population.RunOf)));
        return new ParticleValues(result);
    }

    /// <summary>
    /// Prefixes for a model state laid out as <paramref name="population"/>: each run's prompt, then
    /// <paramref name="prefixOf"/> for each row to redraw; and the index of each row's prefix (its run's prompt for a row
    /// not redrawn, which the state holds but never decodes).
    /// </summary>
    private static (List<int[]> Prefixes, int[] PrefixOfRow) RedrawPrefixes(Population population, bool[] redraw, Func<int, int[]> prefixOf)
    {
        var prefixes = population.PromptTokens.ToList();
        var prefixOfRow = new int[population.Rows];
        for (var row = 0; row < prefixOfRow.Length; row++)
        {
            prefixOfRow[row] = population.RunOf(row);
            if (redraw[row])
            {
                prefixes.Add(prefixOf(row));
                prefixOfRow[row] = prefixes.Count - 1;
            }
        }

        return (prefixes, prefixOfRow);
    }

    /// <summary>A particle's prompt and the tokens it had before the marked step.</summary>
    private static int[] TextBefore(Population population, StepMark mark, int row) =>
        population.PromptTokens[population.RunOf(row)].Concat(population.GeneratedTokens(row).Take(mark.LengthsBefore[row])).ToArray();

    private static void RequireSameVocabulary(Population population, ILanguageModel other, string what)
    {
        if (!SameVocabulary(population.Model.Vocabulary, other.Vocabulary))
        {
            throw new ModelException($"{what}: the model must share the vocabulary of the population's model, since it continues and scores the particles' own tokens");
        }
    }

    /// <summary>Counts a redraw's steps as usual and its tokens as redrawn ones too.</summary>
    private sealed class RedrawMeter(SpendMeter meter) : IStepMeter
    {
        public void Step(int[] liveRowsPerRun)
        {
            meter.Step(liveRowsPerRun);
            meter.Redrawn(liveRowsPerRun);
        }
    }
}
