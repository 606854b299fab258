using Tts.Cli.Eval;

namespace Tts.Cli.Tune;

/// <summary>
/// The search space of `tts tune`: for each strategy, the grid of its ranged parameters. A range is
/// <c>PARAM=V1,V2,...</c> (every strategy with that parameter) or <c>STRATEGY.PARAM=V1,...</c> (one strategy; it wins
/// over the unqualified range). A strategy without a ranged parameter is one candidate at its defaults.
/// </summary>
internal sealed record ParameterRange(string? Strategy, string Parameter, IReadOnlyList<string> Values)
{
    public static ParameterRange Parse(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new CliException($"--range {text}: write PARAM=V1,V2,... or STRATEGY.PARAM=V1,V2,...");
        }

        var name = text[..equals].Trim();
        var values = text[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (values.Count == 0)
        {
            throw new CliException($"--range {text}: give at least one value");
        }

        var dot = name.LastIndexOf('.');
        return dot > 0 ? new ParameterRange(name[..dot], name[(dot + 1)..], values) : new ParameterRange(null, name, values);
    }
}

internal static class ParameterSpace
{
    /// <summary>
    /// Every candidate: the product of each strategy's ranges (the others at <paramref name="fixedSettings"/> or their
    /// defaults). Every range must name a parameter of some strategy, and every value must parse.
    /// </summary>
    public static IReadOnlyList<TuneCandidate> Expand(
        IReadOnlyList<EvalStrategy> strategies, IReadOnlyList<ParameterRange> ranges, IReadOnlyDictionary<string, string> fixedSettings)
    {
        foreach (var range in ranges)
        {
            var targets = strategies.Where(s => range.Strategy is null || s.Label == range.Strategy).ToList();
            if (range.Strategy is not null && targets.Count == 0)
            {
                throw new CliException($"--range {range.Strategy}.{range.Parameter}: no strategy '{range.Strategy}' (given: {string.Join(", ", strategies.Select(s => s.Label))})");
            }

            if (targets.All(s => s.Strategy.Parameters.All(p => p.Name != range.Parameter)))
            {
                throw new CliException($"--range {(range.Strategy is null ? "" : range.Strategy + ".")}{range.Parameter}: no strategy has a parameter '{range.Parameter}'");
            }

            if (fixedSettings.ContainsKey(range.Parameter))
            {
                throw new CliException($"--range {range.Parameter} and --set {range.Parameter}: a parameter is either ranged or set, not both");
            }
        }

        var candidates = new List<TuneCandidate>();
        foreach (var strategy in strategies)
        {
            var own = strategy.Strategy.Parameters
                .Select(p => ranges.FirstOrDefault(r => r.Strategy == strategy.Label && r.Parameter == p.Name)
                             ?? ranges.FirstOrDefault(r => r.Strategy is null && r.Parameter == p.Name))
                .OfType<ParameterRange>()
                .ToList();
            var fixedOwn = fixedSettings.Where(s => strategy.Strategy.Parameters.Any(p => p.Name == s.Key)).ToList();
            foreach (var combination in Product(own))
            {
                var settings = fixedOwn.Concat(combination).ToList();
                try
                {
                    candidates.Add(TuneCandidate.Create(strategy, settings));
                }
                catch (Runtime.Execution.RuntimeException exception)
                {
                    throw new CliException($"{strategy.Label}: {exception.Message}");
                }
            }
        }

        return candidates;
    }

    private static IEnumerable<List<KeyValuePair<string, string>>> Product(IReadOnlyList<ParameterRange> ranges)
    {
        IEnumerable<List<KeyValuePair<string, string>>> combinations = [[]];
        foreach (var range in ranges)
        {
            combinations = combinations.SelectMany(c => range.Values.Select(v => new List<KeyValuePair<string, string>>(c) { new(range.Parameter, v) })).ToList();
        }

        return combinations;
    }
}
