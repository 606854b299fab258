namespace Tts.Language.Binding.BoundTree;

/// <summary>Enumerates the statements and expressions of a bound body, nested blocks included.</summary>
public static class BoundTreeWalker
{
    /// <summary>The statement and every statement nested in its blocks, in source order.</summary>
    public static IEnumerable<BoundStatement> Statements(BoundStatement statement)
    {
        yield return statement;
        var nested = statement switch
        {
            BoundSmcStatement smc => smc.Body,
            BoundSearchStatement search => search.Body,
            BoundForkStatement fork => fork.Body,
            BoundFailedBlock failed => failed.Body,
            _ => Enumerable.Empty<BoundStatement>(),
        };
        foreach (var inner in nested.SelectMany(Statements))
        {
            yield return inner;
        }
    }

    /// <summary>The expressions of this statement itself (not of nested statements).</summary>
    public static IEnumerable<BoundExpression> Expressions(BoundStatement statement) => statement switch
    {
        BoundSampleStatement sample => Options(sample.Options).Prepend(sample.Prompt).SelectMany(Expressions),
        BoundRaceStatement race => Options(race.Options).Prepend(race.Prompt).Append(race.First).SelectMany(Expressions),
        BoundPopulationStatement population => Expressions(population.Value),
        BoundSmcStatement smc => new[] { smc.EssThreshold, smc.Steps, smc.Iterations, smc.Temper }.OfType<BoundExpression>().SelectMany(Expressions),
        BoundSearchStatement search => new[] { search.Width, search.Expand, search.Groups, search.Steps, search.Explore }.OfType<BoundExpression>().SelectMany(Expressions),
        BoundFailedBlock failed => Expressions(failed.Steps),
        BoundExtendStatement extend => Options(extend.Options).SelectMany(Expressions),
        BoundReextendStatement reextend => Options(reextend.Options).Prepend(reextend.Condition ?? reextend.Acceptance!).SelectMany(Expressions),
        BoundParticleUpdate update => Expressions(update.Value),
        BoundRefineStatement refine => new[] { refine.Initial, refine.Step, refine.Rounds, refine.Until }.OfType<BoundExpression>().SelectMany(Expressions),
        BoundLetStatement let => Expressions(let.Value),
        BoundReturnStatement ret => Expressions(ret.Value),
        _ => Enumerable.Empty<BoundExpression>(),
    };

    public static IEnumerable<BoundExpression> Options(BoundDecodeOptions options) => new[]
    {
        options.Count, options.Temperature, options.TopK, options.TopP, options.MaxTokens, options.Stop, options.MinP, options.Forbid,
    };

    /// <summary>
    /// The expression and every sub-expression, in pre-order, left to right. Iterative: a recursive iterator costs
    /// each element one step per enclosing level, which made a 400-term sum take seconds.
    /// </summary>
    public static IEnumerable<BoundExpression> Expressions(BoundExpression expression)
    {
        var pending = new Stack<BoundExpression>();
        pending.Push(expression);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            yield return next;
            foreach (var child in Children(next).Reverse())
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>The direct sub-expressions of an expression.</summary>
    public static IEnumerable<BoundExpression> Children(BoundExpression expression) => expression switch
    {
        BoundBuiltinCall call => call.Arguments,
        BoundUnary unary => new[] { unary.Operand },
        BoundBinary binary => new[] { binary.Left, binary.Right },
        BoundList list => list.Elements,
        BoundSelection selection => new[] { selection.Key, selection.Weight, selection.Otherwise }.OfType<BoundExpression>(),
        BoundFunctionCall call => new[] { call.Argument },
        BoundStrategyCall call => call.Arguments,
        BoundSpawn spawn => new[] { spawn.Count, spawn.Prompt },
        BoundRank rank => new[] { rank.By, rank.Top },
        BoundRepeat repeat => new BoundExpression[] { repeat.Count, repeat.Call },
        BoundSpeculative speculative => Options(speculative.Options).Prepend(speculative.Prompt).Append(speculative.Lookahead),
        BoundLogProb logProb => new[] { logProb.Text, logProb.After },
        BoundAdaptiveVote vote => Options(vote.Options).Prepend(vote.Prompt).Append(vote.Wave),
        _ => Enumerable.Empty<BoundExpression>(),
    };
}
