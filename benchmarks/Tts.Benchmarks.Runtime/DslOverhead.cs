using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Tts.Compiler.Driver;
using Tts.Language.Text;
using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Resampling;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using static TorchSharp.torch;

namespace Tts.Benchmarks.Runtime;

/// <summary>
/// DSL overhead: the particle filter of examples/strategies run through the compiler and executor, against the same
/// algorithm hand-written over the runtime's lowest pieces (decode state, sampler, resampler) on the same model, the
/// same rows and the same reward. Both use the shared prompt prefill and hold finished rows. The ratio of median
/// seconds per generated token, both measured interleaved in this one run, is the overhead.
/// </summary>
internal static class DslOverhead
{
    private const string Strategy = """
        model policy: lm
        reward prm: Score
        strategy particle_filter(question: text, n: int = 16, tau: real = 1.0, steps: int = 6) -> text {
            population ps = spawn(n, prompt: question)
            smc ps with resample = systematic, ess < 0.5, steps <= steps {
                extend ps by policy(stop: "\n", max_tokens: 16, temperature: 0.8)
                factor ps += log(prm(ps)) / tau
            }
            return sample(ps)
        }
        """;

    private const int Runs = 4;
    private const int Particles = 16;
    private const int Steps = 6;
    private const int MaxTokens = 16;

    public static void Run(int repetitions)
    {
        var config = new TransformerConfig
        {
            VocabSize = 96, HiddenSize = 256, IntermediateSize = 768, LayerCount = 4, HeadCount = 4, KeyValueHeadCount = 4, HeadDim = 64,
            TieWordEmbeddings = true, MaxPositionEmbeddings = 1024, EosTokenId = 0, RmsNormEps = 1e-5,
        };
        var characters = Enumerable.Range(0, 95).Select(i => (char)(' ' + i));
        using var model = TransformerModel.CreateRandom(config, Tts.Runtime.Models.Tokenizers.HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], characters), seed: 3,
            new TransformerOptions { Device = DevicePreference.Cpu });
        var question = new string('q', 48);
        var reward = DelegateReward.PerText(RewardKind.Score, text => 1.0 + text.Count(c => c == 'e'));

        var compilation = Compilation.Compile(SourceText.From(Strategy, "particle_filter.tts"));
        var function = compilation.Optimized!.Functions.Single();
        var arguments = function.Parameters.ToDictionary(p => p.Name, p => p.Name == "question" ? question : p.DefaultValue!);
        var bindings = new ModelBindings().Bind("policy", model);
        var functions = new FunctionBindings().BindReward("prm", reward);

        (double Seconds, long Tokens) Dsl(int seed)
        {
            var clock = Stopwatch.StartNew();
            var results = IrExecutor.Execute(function, arguments, bindings, functions, new RunOptions((ulong)seed, Runs));
            return (clock.Elapsed.TotalSeconds, results.Sum(r => r.Spent.Tokens));
        }

        (double Seconds, long Tokens) Hand(int seed)
        {
            var clock = Stopwatch.StartNew();
            var tokens = HandWritten(model, question, reward, seed);
            return (clock.Elapsed.TotalSeconds, tokens);
        }

        Dsl(0);
        Hand(0);
        var dsl = new List<(double Seconds, long Tokens)>();
        var hand = new List<(double Seconds, long Tokens)>();
        for (var r = 1; r <= repetitions; r++)
        {
            dsl.Add(Dsl(r));
            hand.Add(Hand(r));
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        var dslPerToken = Median(dsl.Select(d => d.Seconds / d.Tokens));
        var handPerToken = Median(hand.Select(h => h.Seconds / h.Tokens));
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        Console.WriteLine($"particle filter, {Runs} runs x {Particles} particles, {Steps} steps of <= {MaxTokens} tokens, random Llama {model.ParameterCount / 1e6:F1}M params, CPU, {repetitions} interleaved repetitions");
        Console.WriteLine("| loop | median s per run batch | median tokens | median us per token |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| DSL (tts -O1, IrExecutor) | {F(Median(dsl.Select(d => d.Seconds)), "F3")} | {F(Median(dsl.Select(d => (double)d.Tokens)), "F0")} | {F(dslPerToken * 1e6, "F1")} |");
        Console.WriteLine($"| hand-written TorchSharp loop | {F(Median(hand.Select(h => h.Seconds)), "F3")} | {F(Median(hand.Select(h => (double)h.Tokens)), "F0")} | {F(handPerToken * 1e6, "F1")} |");
        var ratio = dslPerToken / handPerToken;
        Console.WriteLine($"| DSL / hand-written (per token) | {F(ratio, "F3")} | | target <= 1.05: {(ratio <= 1.05 ? "met" : "MISSED")} |");
    }

    /// <summary>The particle filter written directly: decode steps with held rows, reward, reweight, ESS-triggered systematic resampling.</summary>
    private static long HandWritten(TransformerModel model, string question, IReward reward, int seed)
    {
        var rows = Runs * Particles;
        var vocabulary = model.Vocabulary;
        var sampling = new SamplingOptions(Temperature: 0.8);
        using var state = model.Start([model.Encode(question)], new int[rows]);
        var texts = Enumerable.Repeat("", rows).ToArray();
        var ended = new bool[rows];
        var logWeights = new double[rows];
        var random = new Random(seed);
        using var keys = torch.tensor(Enumerable.Range(0, rows).Select(_ => (long)(uint)random.Next()).ToArray(), ScalarType.Int64);
        using var runKeys = torch.tensor(Enumerable.Range(0, Runs).Select(_ => (long)(uint)random.Next()).ToArray(), ScalarType.Int64);
        long generated = 0;
        for (var step = 0; step < Steps && ended.Contains(false); step++)
        {
            var active = Array.ConvertAll(ended, e => !e);
            var inStep = (bool[])active.Clone();
            for (var t = 0; t < MaxTokens && inStep.Contains(true); t++)
            {
                long[] sampled;
                using (var scope = torch.NewDisposeScope())
                {
                    var tokens = TokenSampler.Sample(state.NextLogProbs(), sampling, keys, step * MaxTokens + t);
                    state.Append(tokens, Array.ConvertAll(inStep, live => !live));
                    sampled = tokens.data<long>().ToArray();
                }

                for (var row = 0; row < rows; row++)
                {
                    if (!inStep[row])
                    {
                        continue;
                    }

                    generated++;
                    if (sampled[row] == vocabulary.EosId)
                    {
                        ended[row] = true;
                        inStep[row] = false;
                        continue;
                    }

                    texts[row] = vocabulary.AppendToken(texts[row], (int)sampled[row], out _);
                    inStep[row] = !texts[row].EndsWith('\n') && t + 1 < MaxTokens;
                }
            }

            var scored = Enumerable.Range(0, rows).Where(row => active[row]).ToList();
            var values = reward.Evaluate(scored.Select(row => texts[row]).ToList());
            for (var i = 0; i < scored.Count; i++)
            {
                logWeights[scored[i]] += Math.Log(values[i]);
            }

            using var scope2 = torch.NewDisposeScope();
            var weights = torch.tensor(logWeights, ScalarType.Float64).reshape(Runs, Particles);
            var resample = WeightMath.EssBelow(weights, 0.5);
            if (!resample.any().item<bool>())
            {
                continue;
            }

            var result = Resampler.Systematic.Resample(weights, runKeys, step);
            var identity = torch.arange(Particles, ScalarType.Int64).unsqueeze(0).expand(Runs, Particles);
            var ancestors = Resampler.ToGlobalRows(torch.where(resample.unsqueeze(1), result.Ancestors, identity)).data<long>().ToArray();
            state.Reorder(torch.tensor(ancestors, ScalarType.Int64));
            texts = Array.ConvertAll(ancestors, a => texts[a]);
            ended = Array.ConvertAll(ancestors, a => ended[a]);
            var reset = resample.data<bool>().ToArray();
            logWeights = ancestors.Select((a, row) => reset[row / Particles] ? 0.0 : logWeights[a]).ToArray();
        }

        return generated;
    }
}
