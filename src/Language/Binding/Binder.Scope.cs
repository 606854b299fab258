using System.Collections.Immutable;
using Tts.Language.Binding.Effects;
using Tts.Language.Binding.Symbols;

namespace Tts.Language.Binding;

/// <summary>What the binder keeps while it binds: scopes, the block a statement stands in, the strategy being bound.</summary>
public sealed partial class Binder
{
    /// <summary>Names visible in a block: its own locals, then the enclosing blocks', then the parameters.</summary>
    private sealed class Scope
    {
        private readonly List<LocalSymbol> _locals = new();
        private readonly ImmutableDictionary<string, ParameterSymbol> _parameters;

        public Scope(ImmutableDictionary<string, ParameterSymbol> parameters, Scope? parent)
        {
            _parameters = parameters;
            Parent = parent;
        }

        public static Scope Empty => new(ImmutableDictionary<string, ParameterSymbol>.Empty, null);

        public Scope? Parent { get; }

        /// <summary>The locals declared in this scope, in order.</summary>
        public List<LocalSymbol> Locals => _locals;

        public Symbol? Lookup(string name) =>
            (Symbol?)_locals.LastOrDefault(l => l.Name == name) ?? Parent?.Lookup(name) ?? (_parameters.TryGetValue(name, out var p) ? p : null);

        public void Declare(LocalSymbol local) => _locals.Add(local);

        public Scope Nested() => new(ImmutableDictionary<string, ParameterSymbol>.Empty, this);

        public IEnumerable<string> VisibleNames() =>
            _parameters.Keys.Concat(_locals.Select(l => l.Name)).Concat(Parent?.VisibleNames() ?? Enumerable.Empty<string>());
    }

    /// <summary>Where a statement is: the strategy body, an smc or search block over a population, or a fork.</summary>
    private sealed class BlockContext
    {
        public static readonly BlockContext Body = new(BlockKind.Body, null);

        public BlockContext(BlockKind kind, LocalSymbol? population)
        {
            Kind = kind;
            Population = population;
        }

        public BlockKind Kind { get; }

        /// <summary>The block's population; null in the body, a fork, or a block whose population did not resolve.</summary>
        public LocalSymbol? Population { get; }

        /// <summary>In smc: whether anything weights the population (recorded as BoundSmcStatement.Weighted).</summary>
        public bool Weighted { get; set; }

        /// <summary>
        /// In smc: the <c>extend</c> whose step a <c>reextend</c> may redraw (the last one bound, with only <c>let</c>
        /// statements since); null before any, and after a weight or a <c>reextend</c>.
        /// </summary>
        public BoundTree.BoundExtendStatement? LastExtend { get; set; }

        /// <summary>In smc: the populations an <c>extend</c> of this body has stepped so far (whose last step exists).</summary>
        public HashSet<LocalSymbol> Stepped { get; } = new();

        /// <summary>In smc: how many twists bound so far (a second one is an error).</summary>
        public int Twists { get; set; }
    }

    /// <summary>What the binder tracks through one strategy body.</summary>
    private sealed class StrategyState
    {
        public StrategyState(StrategySymbol symbol) => Symbol = symbol;

        public StrategySymbol Symbol { get; }

        /// <summary>Locals of loop bodies, which go out of scope with their block but are declared all the same.</summary>
        public List<LocalSymbol> NestedLocals { get; } = new();

        /// <summary>Names declared by the branches of the fork being bound (branches may not read each other).</summary>
        public HashSet<LocalSymbol>? ForkDeclared { get; set; }

        /// <summary>The block whose statements are being bound (null outside any).</summary>
        public BlockContext? Block { get; set; }

        /// <summary>
        /// The model each population is decoded by: its sample or race statement's, or its first extend's (a ranked
        /// population's is its source's). The runtime keeps one model's decode state per population, so a step by
        /// another model would silently continue the first model's state: TTS0150.
        /// </summary>
        public Dictionary<LocalSymbol, ModelSymbol> DecodedBy { get; } = new();

        /// <summary>Whether a statement was left unbound because its block may not hold it (EffectAnalysis reports it).</summary>
        public bool HasMisplacedStatements { get; set; }
    }

    /// <summary>What a call accepts: parameter names in order, how many may be positional, which are required.</summary>
    private sealed record ArgumentSignature(string Name, IReadOnlyList<string> Parameters, int Positional, IReadOnlyList<string> Required);
}
