using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;

namespace Tts.Language.Binding.Analysis;

/// <summary>
/// Strategies callees first, so an analysis of a call sees its callee's result. The binder turns a call into a cycle
/// into an error expression, so the calls left in the bound tree never loop.
/// </summary>
internal static class CallOrder
{
    public static IReadOnlyList<BoundStrategy> CalleesFirst(BoundProgram program)
    {
        var bySymbol = program.Strategies.ToDictionary(s => s.Symbol);
        var visited = new HashSet<StrategySymbol>();
        var result = new List<BoundStrategy>();

        void Visit(BoundStrategy strategy)
        {
            if (!visited.Add(strategy.Symbol))
            {
                return;
            }

            foreach (var callee in Callees(strategy))
            {
                if (bySymbol.TryGetValue(callee, out var bound))
                {
                    Visit(bound);
                }
            }

            result.Add(strategy);
        }

        foreach (var strategy in program.Strategies)
        {
            Visit(strategy);
        }

        return result;
    }

    /// <summary>Bad statements included: what they would spend is still charged, so their callees go first too.</summary>
    private static IEnumerable<StrategySymbol> Callees(BoundStrategy strategy) =>
        strategy.Body.Concat(strategy.Unreachable)
            .SelectMany(BoundTreeWalker.Statements)
            .Select(s => s is BoundBadStatement bad ? bad.Statement : s)
            .SelectMany(BoundTreeWalker.Expressions)
            .OfType<BoundStrategyCall>()
            .Select(call => call.Strategy);
}
