using TorchSharp;
using Tts.Runtime.Decoding;
using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    /// <summary>
    /// Speculative sampling (Leviathan et al. 2023; Chen et al. 2023): the draft proposes x ~ q, the target accepts it
    /// with probability min(1, p(x)/q(x)), else draws from normalize((p − q)+), so every token follows p exactly (both
    /// laws after the decoding transforms and the mask). The runtime's decode states take one token per step, so the
    /// proposal is checked token by token: the law is exact and the acceptance rate is 1 − TV(p, q), but the lookahead
    /// k brings no speed-up yet (see docs/runtime.md).
    /// </summary>
    public Population Speculative(RunValues count, string target, string draft, RunValues lookahead, RunValues prompt, OptionValues options, int stream)
    {
        if (LoopBound("k", lookahead) < 1)
        {
            throw new RuntimeException("speculative needs k of at least 1");
        }

        var targetPopulation = Prefill(count, target, prompt, shared: true);
        var draftPopulation = Prefill(count, draft, prompt, shared: true);
        // Token ids are compared across the two models, so they must mean the same tokens, not merely be as many.
        var draftVocabulary = draftPopulation.Model.Vocabulary;
        var targetVocabulary = targetPopulation.Model.Vocabulary;
        if (draftVocabulary.Count != targetVocabulary.Count)
        {
            throw new RuntimeException(
                $"speculative needs the draft and the target to share a vocabulary, but '{draft}' has {draftVocabulary.Count} tokens and '{target}' {targetVocabulary.Count}");
        }

        var differing = Enumerable.Range(0, targetVocabulary.Count).FirstOrDefault(id => draftVocabulary.Tokens[id] != targetVocabulary.Tokens[id], -1);
        if (differing >= 0 || draftVocabulary.EosId != targetVocabulary.EosId)
        {
            throw new RuntimeException(differing >= 0
                ? $"speculative needs the draft and the target to share a vocabulary, but token {differing} is {Tts.Semantics.Constants.Quote(draftVocabulary.Tokens[differing])} in '{draft}' and {Tts.Semantics.Constants.Quote(targetVocabulary.Tokens[differing])} in '{target}'"
                : $"speculative needs the draft and the target to share a vocabulary, but '{draft}' ends texts with token {draftVocabulary.EosId} and '{target}' with token {targetVocabulary.EosId}");
        }

        var groups = DecodeGroups(targetPopulation, options, Enumerable.Repeat(true, targetPopulation.Rows).ToArray());
        var keys = RowKeys(targetPopulation, stream);

        using var rowKeys = torch.tensor(keys, ScalarType.Int64);
        var masks = groups.Select(g => g.Allowed is null ? null : torch.tensor(g.Allowed).unsqueeze(0)).ToArray();
        var rowsOf = groups.Select(g => torch.tensor(g.Rows).unsqueeze(1)).ToArray();
        Tensor GroupLaw(Tensor logProbs, int group)
        {
            var transformed = TokenSampler.TransformedLogProbs(logProbs, groups[group].Options.Sampling);
            if (masks[group] is { } mask)
            {
                transformed = transformed.masked_fill(mask.logical_not(), Scalars.NegativeInfinity);
            }

            return transformed - transformed.logsumexp(1, keepdim: true);
        }

        // Runs may differ in options: each group's law over the batch, each row taking its own group's (rows are independent).
        Tensor Law(Tensor logProbs)
        {
            var law = GroupLaw(logProbs, 0);
            for (var group = 1; group < groups.Count; group++)
            {
                law = torch.where(rowsOf[group], GroupLaw(logProbs, group), law);
            }

            return law;
        }

        Tensor Choose(Tensor targetLogProbs, long step, bool[] held)
        {
            var p = Law(targetLogProbs);
            var q = Law(draftPopulation.State.NextLogProbs());
            var vocabulary = p.shape[1];
            var proposal = (q + TokenSampler.Gumbel(rowKeys, 3 * step, vocabulary)).argmax(1);
            var logU = CounterRandom.Uniforms(rowKeys, 3 * step + 1, 1).squeeze(1).log();
            var accept = logU.lt(p.gather(1, proposal.unsqueeze(1)).squeeze(1) - q.gather(1, proposal.unsqueeze(1)).squeeze(1));
            var residual = (p.exp() - q.exp()).clamp_min(Scalars.Zero).log();
            var correction = (residual + TokenSampler.Gumbel(rowKeys, 3 * step + 2, vocabulary)).argmax(1);
            var tokens = torch.where(accept, proposal, correction);
            draftPopulation.State.Append(tokens, held);

            // The draft's step costs a model call and its tokens too.
            var live = new int[Runs];
            for (var row = 0; row < held.Length; row++)
            {
                live[targetPopulation.RunOf(row)] += held[row] ? 0 : 1;
            }

            Meter.Step(live);
            return tokens;
        }

        try
        {
            PopulationDecoder.Decode(targetPopulation, new DecodeRequest(groups, keys), Meter, Cancellation, Choose);
        }
        finally
        {
            foreach (var tensor in masks.Concat(rowsOf))
            {
                tensor?.Dispose();
            }
        }

        return targetPopulation;
    }

}
