using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;

namespace Tts.SourceGenerators;

/// <summary>
/// The models and functions (rewards, verifiers, extractors) a strategy uses, through the strategies it calls too:
/// exactly what its generated run method must be given.
/// </summary>
internal static class StrategyUses
{
    /// <summary>Model names and function names, each in the order of the file's declarations.</summary>
    public static (List<string> Models, List<string> Functions) Of(BoundStrategy strategy, BoundProgram program)
    {
        var models = new HashSet<ModelSymbol>();
        var functions = new HashSet<FunctionSymbol>();
        var visited = new HashSet<StrategySymbol>();
        var pending = new Stack<BoundStrategy>();
        pending.Push(strategy);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!visited.Add(current.Symbol))
            {
                continue;
            }

            foreach (var statement in current.Body.SelectMany(BoundTreeWalker.Statements))
            {
                switch (statement)
                {
                    case BoundSampleStatement sample:
                        models.Add(sample.Model);
                        break;
                    case BoundRaceStatement race:
                        models.Add(race.Model);
                        break;
                    case BoundExtendStatement extend:
                        models.Add(extend.Model);
                        break;
                    case BoundReextendStatement reextend:
                        models.Add(reextend.Model);
                        break;
                }

                foreach (var expression in BoundTreeWalker.Expressions(statement))
                {
                    switch (expression)
                    {
                        case BoundFunctionCall call:
                            functions.Add(call.Function);
                            break;
                        case BoundSpeculative speculative:
                            models.Add(speculative.Target);
                            models.Add(speculative.Draft);
                            break;
                        case BoundStrategyCall call when program.Strategies.FirstOrDefault(s => s.Symbol == call.Strategy) is { } callee:
                            pending.Push(callee);
                            break;
                    }
                }
            }
        }

        return (
            program.Models.Where(models.Contains).Select(m => m.Name).ToList(),
            program.Functions.Where(functions.Contains).Select(f => f.Name).ToList());
    }
}
