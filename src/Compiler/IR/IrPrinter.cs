using System.Text;
using Tts.Language.Binding;

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
        foreach (var instruction in function.Instructions)
        {
            builder.Append("  ").Append(Print(instruction)).Append('\n');
        }

        return builder.ToString();
    }

    public static string Print(IrInstruction instruction)
    {
        var text = instruction switch
        {
            IrParameter p => $"param {p.Name}",
            IrConstant c => $"const {Constants.Format(c.Value)}",
            IrSpawn s => $"spawn n={s.Count}",
            IrPrefill p => $"prefill {p.Population} model={p.Model} prompt={p.Prompt}",
            IrDecode d => $"decode {d.Population} model={d.Model} temperature={d.Temperature} top_k={d.TopK} top_p={d.TopP} max_tokens={d.MaxTokens} stop={d.Stop} stream={d.Stream}",
            IrParticleText t => $"particle_text {t.Population}",
            IrCall c => $"call {c.Function.Name}({string.Join(", ", c.Arguments)})",
            IrUnary u => $"{Operators.Text(u.Operator)} {u.Operand}",
            IrBinary b => $"{b.Left} {Operators.Text(b.Operator)} {b.Right}",
            IrList l => $"list [{string.Join(", ", l.Elements)}]",
            IrSelectSample s => $"select_sample {s.Population} stream={s.Stream}",
            IrSelectBest b => $"select_best {b.Population} by={b.Key}",
            IrReduceVote v => $"reduce_vote {v.Population} key={v.Key}{(v.Weight is null ? "" : $" weight={v.Weight}")}",
            IrCallFunction f => $"call_{f.Kind.ToString().ToLowerInvariant()} {f.Name}({f.Argument})",
            IrSelectFirst f => $"select_first {f.Population} where={f.Condition}{(f.Otherwise is null ? "" : $" otherwise={f.Otherwise}")}",
            IrReturn r => $"return {r.Value}",
            _ => instruction.GetType().Name,
        };

        var effects = instruction.Effects == IrEffects.None ? "" : $"  [{instruction.Effects.ToString().ToLowerInvariant()}]";
        return instruction.Result is { } result ? $"{result} = {text} : {result.Type}{effects}" : text + effects;
    }
}
