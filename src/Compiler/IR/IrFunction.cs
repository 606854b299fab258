using System.Collections.Immutable;
using Tts.Language.Binding.Guarantees;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;

namespace Tts.Compiler.IR;

/// <summary>A lowered strategy: its signature, guarantee, and a straight-line list of instructions.</summary>
public sealed record IrFunction(
    string Name,
    ImmutableArray<ParameterSymbol> Parameters,
    TtsType ReturnType,
    GuaranteeInfo Guarantee,
    ImmutableArray<IrInstruction> Instructions)
{
    /// <summary>The models the function runs, by name, in first-use order.</summary>
    public IEnumerable<string> Models =>
        Instructions.Select(i => i switch { IrPrefill p => p.Model, IrDecode d => d.Model, _ => null })
            .OfType<string>()
            .Distinct();

    public int NextValueId => Instructions.Where(i => i.Result is not null).Select(i => i.Result!.Id + 1).DefaultIfEmpty(0).Max();
}

/// <summary>All strategies of one file, and the models they declare.</summary>
public sealed record IrModule(ImmutableArray<string> Models, ImmutableArray<IrFunction> Functions)
{
    public IrFunction? Find(string name) => Functions.FirstOrDefault(f => f.Name == name);
}
