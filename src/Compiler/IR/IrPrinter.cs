using System.Text;
using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>The readable text form of IR (<c>tts compile --emit ir</c>); stable, so tests can compare it.</summary>
public static class IrPrinter
{
    public static string Print(IrModule module)
    {
        var builder = new StringBuilder();
        foreach (var model in module.Models)
        {
            builder.Append("model ").Append(model).Append(": lm\n");
        }

        foreach (var function in module.Functions)
        {
            builder.Append('\n').Append(Print(function));
        }

        return builder.ToString();
    }

    public static string Print(IrFunction function)
    {
        var builder = new StringBuilder();
        var parameters = string.Join(", ", function.Parameters.Select(p =>
            p.IsRequired ? $"{p.Name}: {p.Type}" : $"{p.Name}: {p.Type} = {Constants.Format(p.DefaultValue)}"));
        builder.Append($"strategy {function.Name}({parameters}) -> {function.ReturnType}  // {function.Guarantee.LevelName}\n");
        AppendBody(builder, function.Instructions, "  ");
        return builder.ToString();
    }

    private static void AppendBody(StringBuilder builder, IEnumerable<IrInstruction> instructions, string indent)
    {
        foreach (var instruction in instructions)
        {
            builder.Append(indent).Append(Print(instruction));
            if (instruction.Regions.IsEmpty)
            {
                builder.Append('\n');
                continue;
            }

            builder.Append(" {\n");
            for (var i = 0; i < instruction.Regions.Length; i++)
            {
                var region = instruction.Regions[i];
                var label = RegionLabel(instruction, i);
                builder.Append(indent).Append("  ").Append(label).Append('(')
                    .Append(string.Join(", ", region.Parameters.Select(p => $"{p}: {p.Type}"))).Append("):\n");
                AppendBody(builder, region.Body, indent + "    ");
                builder.Append(indent).Append("    yield ").Append(region.Yield).Append('\n');
            }

            builder.Append(indent).Append("}\n");
        }
    }

    private static string RegionLabel(IrInstruction owner, int index) => owner switch
    {
        IrSmc or IrSearch or IrParticleGibbs => "step",
        IrRepeat => "member",
        IrRefine => index == 0 ? "round" : "until",
        _ => "region",
    };

    public static string Print(IrInstruction instruction)
    {
        var text = instruction switch
        {
            IrParameter p => $"param {p.Name}",
            IrConstant c => $"const {Constants.Format(c.Value)}",
            IrSpawn s => $"spawn n={s.Count}",
            IrPrefill p => $"prefill.{(p.Shared ? "shared" : "per_particle")} {p.Population} model={p.Model} prompt={p.Prompt}",
            IrDecode d => $"decode {d.Population} model={d.Model} {d.Options}{(d.First is null ? "" : $" first={d.First}")} stream={d.Stream}",
            IrFusedDecode f => $"decode.fused ({string.Join(", ", f.Populations)}) model={f.Model} {f.Options} streams=({string.Join(", ", f.Streams)})",
            IrProject p => $"project {p.Tuple}.{p.Index}",
            IrExtend e => $"extend{(e.Weighted ? ".weighted" : "")} {e.Population} model={e.Model} {e.Options} stream={e.Stream}",
            IrReweight w => $"reweight.{w.Kind.ToString().ToLowerInvariant()} {w.Population} by={w.Value}",
            IrTwist t => $"twist {t.Population} = {t.Value}",
            IrScore s => $"score {s.Population} = {s.Value}",
            IrResample r => $"resample.{r.Method.ToString().ToLowerInvariant()} {r.Population}{(r.Ess is null ? "" : $" ess<{r.Ess}")}{(r.Temper is null ? "" : $" temper={r.Temper}")} stream={r.Stream}",
            IrSmc m => $"smc {m.Population} steps<={m.Steps}",
            IrParticleGibbs g => $"smc.gibbs {g.Population} steps<={g.Steps} iterations={g.Iterations} stream={g.Stream}",
            IrSearch s => $"search.{s.Method.ToString().ToLowerInvariant()} {s.Population} width={s.Width} expand={s.Expand} groups={s.Groups} steps<={s.Steps}{(s.Explore is null ? "" : $" explore={s.Explore}")}",
            IrRank r => $"rank {r.Population} by={r.Key} top={r.Top}",
            IrSpeculative s => $"speculative n={s.Count} target={s.Target} draft={s.Draft} k={s.Lookahead} prompt={s.Prompt} {s.Options} stream={s.Stream}",
            IrCallStrategy c => $"call_strategy {c.Callee}({string.Join(", ", c.Arguments)}) stream={c.Stream}",
            IrRepeat r => $"repeat n={r.Count} stream={r.Stream}",
            IrRefine r => $"refine initial={r.Initial} rounds<={r.Rounds} stream={r.Stream}",
            IrBudget b => $"budget {b.Resource.ToString().ToLowerInvariant()} <= {b.Limit}",
            IrParticleText t => $"particle_text {t.Population}",
            IrCall c => $"call {c.Function.Name}({string.Join(", ", c.Arguments)})",
            IrUnary u => $"{Operators.Text(u.Operator)} {u.Operand}",
            IrBinary b => $"{b.Left} {Operators.Text(b.Operator)} {b.Right}",
            IrList l => $"list [{string.Join(", ", l.Elements)}]",
            IrSelectSample s => $"select_sample {s.Population} stream={s.Stream}",
            IrSelectBest b => $"select_best {b.Population} by={b.Key}",
            IrReduceVote v => $"reduce_vote {v.Population} key={v.Key}{(v.Weight is null ? "" : $" weight={v.Weight}")}",
            IrAdaptiveVote v => $"adaptive_vote n={v.Count} model={v.Model} prompt={v.Prompt} wave={v.Wave} key={(v.Answer ? "answer" : v.Extractor ?? "text")} {v.Options} stream={v.Stream}",
            IrReextend r => $"reextend {r.Population} model={r.Model} {(r.Condition is null ? $"accept={r.Acceptance}{(r.Exact ? " exact" : "")}" : $"where={r.Condition}")} {r.Options} stream={r.Stream}",
            IrStepLogProb s => $"step_logp model={s.Model} {s.Population}",
            IrLogProb l => $"logp model={l.Model} {(l.Particles is null ? l.Text.ToString() : $"tokens of {l.Particles}")} after={l.After}",
            IrCallFunction f => $"call_{f.Kind.ToString().ToLowerInvariant()} {f.Name}({f.Argument})",
            IrSelectFirst f => $"select_first {f.Population} where={f.Condition}{(f.Otherwise is null ? "" : $" otherwise={f.Otherwise}")}",
            IrReturn r => $"return {r.Value}",
            _ => instruction.GetType().Name,
        };

        var effects = instruction.Effects == IrEffects.None ? "" : $"  [{instruction.Effects.ToString().ToLowerInvariant()}]";
        return instruction.Result is { } result ? $"{result} = {text} : {result.Type}{effects}" : text + effects;
    }
}
