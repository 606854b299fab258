using Tts.Runtime.Populations;
using Tts.Runtime.Randomness;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

public sealed partial class StrategyRuntime
{
    public ParticleValues ParticleText(Population population) => new(population.Texts.Cast<object>().ToArray());

    /// <summary>
    /// <c>sample(xs)</c>: one particle per run, drawn in proportion to its weight with one counter-based uniform (an
    /// exact uniform pick when the weights are equal); no output for a run whose particles are all dead.
    /// </summary>
    public RunValues SelectSample(Population population, int stream)
    {
        var n = population.ParticlesPerRun;
        var logWeights = population.LogWeights.data<double>().ToArray();
        var result = new object?[Runs];
        for (var run = 0; run < Runs; run++)
        {
            var u = CounterRandom.Uniform(RowKey(run, stream, 0), 0, 0);
            if (SampleParticle(new ArraySegment<double>(logWeights, run * n, n), u) is { } particle)
            {
                result[run] = population.Texts[run * n + particle];
            }
        }

        return new RunValues(result);
    }

    /// <summary>
    /// The particle one uniform <paramref name="u"/> draws from a run's log-weights: by inverse CDF of the normalized
    /// weights (uniform when all are equal); null when every particle is dead.
    /// </summary>
    private static int? SampleParticle(IReadOnlyList<double> weights, double u)
    {
        var n = weights.Count;
        var max = weights.Max();
        if (double.IsNegativeInfinity(max))
        {
            return null;
        }

        if (weights.All(w => w == weights[0]))
        {
            return Math.Min(n - 1, (int)(u * n));
        }

        var probabilities = weights.Select(w => Math.Exp(w - max)).ToArray();
        var target = u * probabilities.Sum();
        var cumulative = 0.0;
        var particle = Array.FindLastIndex(probabilities, p => p > 0.0);
        for (var i = 0; i < n; i++)
        {
            cumulative += probabilities[i];
            if (target < cumulative)
            {
                particle = i;
                break;
            }
        }

        return particle;
    }

    /// <summary><c>best(xs, by: key)</c>: the text with the largest key; ties to the lowest index; NaN and dead particles never win.</summary>
    public RunValues SelectBest(Population population, ParticleValues key)
    {
        var n = population.ParticlesPerRun;
        var dead = population.Dead();
        var result = new object?[Runs];
        for (var run = 0; run < Runs; run++)
        {
            var bestRow = -1;
            var bestScore = double.NegativeInfinity;
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                var score = ToDouble(key.PerRow[row]);
                if (!dead[row] && (bestRow < 0 ? !double.IsNaN(score) : score > bestScore))
                {
                    bestScore = score;
                    bestRow = row;
                }
            }

            result[run] = bestRow < 0 ? null : population.Texts[bestRow];
        }

        return new RunValues(result);
    }

    /// <summary>The first live particle, in index order, whose condition holds; else the fallback, or null (no output).</summary>
    public RunValues SelectFirst(Population population, ParticleValues condition, RunValues? otherwise)
    {
        var n = population.ParticlesPerRun;
        var dead = population.Dead();
        var result = new object?[Runs];
        for (var run = 0; run < Runs; run++)
        {
            result[run] = otherwise?[run];
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if (!dead[row] && (bool)condition.PerRow[row])
                {
                    result[run] = population.Texts[row];
                    break;
                }
            }
        }

        return new RunValues(result);
    }

    /// <summary>
    /// <c>vote(xs, key: k, weight: w)</c>: the key with the largest count (or sum of weights; NaN counts 0) over live
    /// particles; ties to the key seen first.
    /// </summary>
    public RunValues ReduceVote(Population population, ParticleValues key, ParticleValues? weight)
    {
        var n = population.ParticlesPerRun;
        var dead = population.Dead();
        var result = new object?[Runs];
        for (var run = 0; run < Runs; run++)
        {
            var counts = new Dictionary<object, double>();
            var order = new List<object>();
            for (var row = run * n; row < (run + 1) * n; row++)
            {
                if (dead[row])
                {
                    continue;
                }

                var k = key.PerRow[row];
                if (!counts.TryGetValue(k, out var c))
                {
                    order.Add(k);
                }

                var w = weight is null ? 1.0 : ToDouble(weight.PerRow[row]);
                counts[k] = c + (double.IsNaN(w) ? 0.0 : w);
            }

            object? winner = null;
            foreach (var k in order)
            {
                if (winner is null || counts[k] > counts[winner])
                {
                    winner = k;
                }
            }

            result[run] = winner;
        }

        return new RunValues(result);
    }

    /// <summary>
    /// A reward, verifier or extractor: one batched call for all texts of the batch — every particle of a population
    /// (in a block step, only the particles of the step: the others' values are never read), or one text per run.
    /// </summary>
    public BatchValue CallFunction(string name, FunctionKind kind, TtsType resultType, BatchValue argument, Population? population)
    {
        var perParticle = argument as ParticleValues;
        var texts = perParticle?.PerRow ?? PerRunOf(argument);
        var rows = population is not null && perParticle is not null && _stepRows.TryGetValue(population, out var step)
            ? Enumerable.Range(0, texts.Length).Where(r => step[r]).ToArray()
            : Enumerable.Range(0, texts.Length).Where(r => texts[r] is not null).ToArray();
        var batch = rows.Select(r => (string)texts[r]!).ToList();
        IReadOnlyList<object> values;
        using (FunctionCallContext.Enter(rows.Select(r => TopRunOf(perParticle is null ? r : r / (texts.Length / Runs))).ToArray()))
        {
            values = kind switch
            {
                FunctionKind.Reward => Functions.Reward(name, resultType.Kind == TypeKind.Prob ? RewardKind.Prob : RewardKind.Score)
                    .Evaluate(batch).Select(v => (object)v).ToList(),
                FunctionKind.Verifier => Functions.Verifier(name).Verify(batch).Select(v => (object)v).ToList(),
                _ => Functions.Extractor(name).Extract(batch).Cast<object>().ToList(),
            };
        }

        var result = new object?[texts.Length];
        var placeholder = kind switch { FunctionKind.Reward => 0.0, FunctionKind.Verifier => false, _ => (object)"" };
        Array.Fill(result, perParticle is null ? null : placeholder);
        for (var i = 0; i < rows.Length; i++)
        {
            result[rows[i]] = values[i];
        }

        Meter.Rewards(CountPerRun(rows.Select(row => perParticle is null ? row : row / (texts.Length / Runs))));
        BatchValue returned = perParticle is null ? new RunValues(result) : new ParticleValues(result!);
        if (kind == FunctionKind.Reward)
        {
            _rewardOf.AddOrUpdate(returned, name);
        }

        return returned;
    }
}
