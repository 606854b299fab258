using System.Diagnostics;
using Tts.Compiler.Passes;
using Tts.Execution;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;

namespace Tts.Benchmarking;

/// <summary>
/// A strategy compiled from .tts source at one optimization level and run through <see cref="CompiledStrategy"/>, the
/// road `tts run` takes (the IR executor; all runs in one batch). Its model binds as <c>policy</c>, its reward (if any) as <c>score</c>.
/// </summary>
public sealed class DslStrategy
{
    /// <summary>Best-of-N without a stop string: n samples to EOS or max_tokens, the best by a C# reward.</summary>
    public const string BestOfNSource = """
        model policy: lm
        reward score: Score
        strategy best_of_n(question: text, n: int = 8, max_tokens: int = 32, temperature: real = 1.0) -> text {
            population xs = sample policy(question, n: n, temperature: temperature, max_tokens: max_tokens)
            return best(xs, by: score)
        }
        """;

    /// <summary>
    /// The particle filter of examples/strategies/particle_filter.tts with its sizes as parameters, resampling whenever the
    /// weights are uneven (ESS below N, where the example waits for N/2): the most resampling a filter does, so that
    /// the resample cost share measured is its upper bound.
    /// </summary>
    public const string ParticleFilterSource = """
        model policy: lm
        reward score: Score
        strategy particle_filter(question: text, n: int = 16, steps: int = 6, max_tokens: int = 16, temperature: real = 1.0) -> text {
            population ps = spawn(n, prompt: question)
            smc ps with resample = systematic, ess < 1.0, steps <= steps {
                extend ps by policy(stop: "\n", max_tokens: max_tokens, temperature: temperature)
                factor ps += log(score(ps))
            }
            return sample(ps)
        }
        """;

    private readonly CompiledStrategy _strategy;

    public DslStrategy(string source, OptimizationLevel level)
    {
        var program = StrategyProgram.Compile(source, "benchmark.tts", level);
        if (program.HasErrors)
        {
            throw new InvalidOperationException("the benchmark strategy does not compile: " + string.Join("; ", program.Diagnostics));
        }

        _strategy = program.Select();
    }

    /// <summary>Runs <paramref name="runs"/> independent runs batched together; arguments not given take their defaults.</summary>
    public DslRun Run(ILanguageModel model, IReward reward, IReadOnlyDictionary<string, object> arguments, int runs, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(arguments);
        var all = _strategy.Arguments(arguments);
        var models = new ModelBindings().Bind("policy", model);
        var functions = new FunctionBindings().BindReward("score", reward);
        var processedBefore = (model as TransformerModel)?.TokensProcessed ?? 0;
        var clock = Stopwatch.StartNew();
        var results = _strategy.Run(all, models, functions, new RunOptions(seed, runs) { ParticlesPerBatch = int.MaxValue }).ToList();
        var seconds = clock.Elapsed.TotalSeconds;
        return new DslRun(seconds, results.Sum(r => r.Spent.Tokens), ((model as TransformerModel)?.TokensProcessed ?? 0) - processedBefore);
    }
}

/// <summary>One DSL run batch: wall seconds, tokens sampled, and token positions the network processed (prefill included).</summary>
public sealed record DslRun(double Seconds, long Tokens, long TokensProcessed);
