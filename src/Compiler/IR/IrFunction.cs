using System.Collections.Immutable;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Semantics;

namespace Tts.Compiler.IR;

/// <summary>A lowered strategy: its signature, guarantee, and a list of instructions (loops are instructions with regions).</summary>
public sealed record IrFunction(
    string Name,
    ImmutableArray<ParameterSymbol> Parameters,
    TtsType ReturnType,
    GuaranteeInfo Guarantee,
    ImmutableArray<IrInstruction> Instructions)
{
    /// <summary>The models the function runs, by name, in first-use order.</summary>
    public IEnumerable<string> Models =>
        IrTree.All(Instructions).SelectMany(i => i switch
            {
                IrPrefill p => new[] { p.Model },
                IrExtend e => new[] { e.Model },
                IrReextend r => new[] { r.Model },
                IrSpeculative s => new[] { s.Target, s.Draft },
                _ => Array.Empty<string>(),
            })
            .Distinct();

    public int NextValueId =>
        IrTree.All(Instructions)
            .SelectMany(i => i.Regions.SelectMany(r => r.Parameters).Append(i.Result))
            .OfType<IrValue>()
            .Select(v => v.Id + 1)
            .DefaultIfEmpty(0)
            .Max();
}

/// <summary>All strategies of one file, and the models they declare.</summary>
public sealed record IrModule(ImmutableArray<string> Models, ImmutableArray<IrFunction> Functions)
{
    public IrFunction? Find(string name) => Functions.FirstOrDefault(f => f.Name == name);
}
