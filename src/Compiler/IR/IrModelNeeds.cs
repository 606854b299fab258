using System.Collections.Immutable;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>What one statement needs from the model it calls, in words a user can find in their file.</summary>
public sealed record IrModelNeed(string Model, ModelCapabilities Needs, string Statement, string Why);

/// <summary>
/// The model capabilities a strategy's statements need, read from its IR through every region and called strategy.
/// Plain sampling needs nothing beyond a sampler (a server may sample); a mask outside smc needs a backend that
/// applies masks; a mask inside smc needs the full distribution, because the allowed mass of the mask corrects the
/// weight; speculative sampling needs the full distributions of target and draft (min(1, p/q) and (p − q)+); logp needs
/// text scoring.
/// </summary>
public static class IrModelNeeds
{
    public static ImmutableArray<IrModelNeed> Of(IrFunction function, IrModule module)
    {
        var needs = ImmutableArray.CreateBuilder<IrModelNeed>();
        foreach (var current in IrRequirements.Reachable(function, module))
        {
            var instructions = IrTree.All(current.Instructions).ToList();
            var definitions = new Dictionary<int, IrInstruction>();
            foreach (var instruction in instructions.Where(i => i.Result is not null))
            {
                definitions[instruction.Result!.Id] = instruction;
            }

            var where = current.Name == function.Name ? "" : $" (in strategy '{current.Name}', called from '{function.Name}')";
            foreach (var instruction in instructions)
            {
                switch (instruction)
                {
                    case IrExtend extend when MayMask(extend.Options, definitions):
                        needs.Add(extend.Weighted
                            ? new IrModelNeed(extend.Model, ModelCapabilities.FullDistribution, "`extend` with `forbid` inside `smc`" + where, "the allowed mass of the mask corrects each particle's weight")
                            : new IrModelNeed(extend.Model, ModelCapabilities.Masks, "`extend` with `forbid`" + where, "the mask restricts each draw"));
                        break;
                    case IrDecode decode when MayMask(decode.Options, definitions):
                        needs.Add(new IrModelNeed(decode.Model, ModelCapabilities.Masks, "`sample` with `forbid`" + where, "the mask restricts each draw"));
                        break;
                    case IrFusedDecode fused when MayMask(fused.Options, definitions):
                        needs.Add(new IrModelNeed(fused.Model, ModelCapabilities.Masks, "`sample` with `forbid`" + where, "the mask restricts each draw"));
                        break;
                    case IrReextend reextend when MayMask(reextend.Options, definitions):
                        needs.Add(new IrModelNeed(reextend.Model, ModelCapabilities.Masks, "`reextend` with `forbid`" + where, "the mask restricts each draw"));
                        break;
                    case IrStepLogProb stepLogProb:
                        needs.Add(new IrModelNeed(stepLogProb.Model, ModelCapabilities.TextScoring, "`step_logp`" + where, "it scores each particle's last step after its text"));
                        break;
                    case IrLogProb logProb:
                        needs.Add(new IrModelNeed(logProb.Model, ModelCapabilities.TextScoring, "`logp`" + where, "it scores a given text (or a particle's tokens) after a prompt"));
                        break;
                    case IrAdaptiveVote vote when MayMask(vote.Options, definitions):
                        needs.Add(new IrModelNeed(vote.Model, ModelCapabilities.Masks, "`adaptive_vote` with `forbid`" + where, "the mask restricts each draw"));
                        break;
                    case IrParticleGibbs gibbs:
                        foreach (var model in IrTree.All(gibbs.Body.Body).OfType<IrExtend>().Select(e => e.Model).Distinct())
                        {
                            needs.Add(new IrModelNeed(model, ModelCapabilities.FullDistribution, "`smc` with `iterations` (particle Gibbs)" + where,
                                "each sweep replays the reference particle's tokens through the model"));
                        }

                        break;
                    case IrSpeculative speculative:
                        const string why = "acceptance min(1, p/q) and the residual (p − q)+ read both next-token laws";
                        needs.Add(new IrModelNeed(speculative.Target, ModelCapabilities.FullDistribution, "`speculative` (its target)" + where, why));
                        needs.Add(new IrModelNeed(speculative.Draft, ModelCapabilities.FullDistribution, "`speculative` (its draft)" + where, why));
                        break;
                }
            }
        }

        return needs.ToImmutable();
    }

    /// <summary>False only when <c>forbid</c> is the constant empty list (no mask); a parameter or a non-empty list may mask.</summary>
    private static bool MayMask(IrDecodeOptions options, Dictionary<int, IrInstruction> definitions) =>
        !(definitions.TryGetValue(options.Forbid.Id, out var forbid) && forbid is IrConstant { Value: object[] { Length: 0 } });
}
