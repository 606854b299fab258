using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.Tasks;
using Tts.Tasks.Arithmetic;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tts.Training.Arithmetic;

/// <summary>
/// Trains a generated task's policy (arithmetic by default) from scratch: next-character prediction on <c>prompt + canonical solution + EOS</c>
/// of seeded training-split problems (levels mixed evenly), the loss on the solution and EOS only (the question's
/// random numbers cannot be predicted). The network is the runtime's <see cref="LlamaNetwork"/> with gradients on.
/// </summary>
public static class PolicyTrainer
{
    private const long IgnoredTarget = -100;

    public static TransformerModel Train(TrainingOptions options, TextWriter log, TransformerConfig? config = null) =>
        Train(ArithmeticTask.Definition, options, log, config);

    public static TransformerModel Train(IGeneratedTask task, TrainingOptions options, TextWriter log, TransformerConfig? config = null)
    {
        TrainingLoop.UseThreads(options.Threads);
        config ??= ArithmeticModels.PolicyConfig(task: task);
        var tokenizerJson = ArithmeticModels.Tokenizer(task);
        var tokenizer = HuggingFaceTokenizer.Parse(tokenizerJson, TransformerModel.TokenizerFileName);
        LlamaWeights weights;
        using (var initial = LlamaWeights.CreateRandom(config, options.Seed, withAttentionBiases: false, torch.CPU))
        {
            weights = TrainingLoop.Trainable(initial);
        }

        var network = new LlamaNetwork(weights);
        var parameters = weights.DistinctTensors().Cast<TorchSharp.Modules.Parameter>().ToList();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{task.Name} policy: {parameters.Sum(p => p.numel())} parameters, {options.Steps} steps of {options.BatchSize} problems, {torch.get_num_threads()} threads"));
        var problems = task.Problems(TaskSplit.Train, options.Steps * options.BatchSize, options.Seed);
        using var loop = new TrainingLoop(parameters, options);
        var clock = Stopwatch.StartNew();
        double smoothed = double.NaN;
        for (var step = 0; step < options.Steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var batch = problems.Skip(step * options.BatchSize).Take(options.BatchSize).ToList();
            var (inputs, targets) = Batch(batch, tokenizer);
            var logits = network.ForwardLogits(inputs);
            var loss = F.cross_entropy(logits.reshape(-1, config.VocabSize), targets.reshape(-1), ignore_index: IgnoredTarget);
            loop.Step(loss, step);
            var value = loss.item<float>();
            smoothed = double.IsNaN(smoothed) ? value : 0.95 * smoothed + 0.05 * value;
            if ((step + 1) % options.LogEvery == 0 || step + 1 == options.Steps)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {step + 1}/{options.Steps}  loss {smoothed:F4}  {clock.Elapsed.TotalSeconds:F0} s"));
            }
        }

        var frozen = weights.Map(t => t.detach().clone().DetachFromDisposeScope());
        network.Dispose(); // disposes the trainable weights
        return TransformerModel.FromWeights(frozen, tokenizerJson, new TransformerOptions { Device = DevicePreference.Cpu }, "trained policy");
    }

    /// <summary>
    /// Inputs <c>[batch, longest − 1]</c> and next-character targets of <c>prompt + solution + EOS</c>, right-padded
    /// with EOS; targets inside the prompt and in the padding are ignored.
    /// </summary>
    internal static (Tensor Inputs, Tensor Targets) Batch(IReadOnlyList<IGeneratedProblem> problems, HuggingFaceTokenizer tokenizer)
    {
        var sequences = problems.Select(p =>
        {
            var prompt = tokenizer.Encode(p.Prompt);
            var solution = tokenizer.Encode(p.Solution);
            return (Ids: prompt.Concat(solution).Append(0).ToArray(), PromptLength: prompt.Length);
        }).ToList();
        var width = sequences.Max(s => s.Ids.Length) - 1;
        var inputs = new long[problems.Count * width];
        var targets = new long[problems.Count * width];
        Array.Fill(targets, IgnoredTarget);
        for (var i = 0; i < sequences.Count; i++)
        {
            var (ids, promptLength) = sequences[i];
            for (var j = 0; j < width; j++)
            {
                inputs[i * width + j] = j < ids.Length ? ids[j] : 0;
                if (j + 1 < ids.Length && j + 1 >= promptLength)
                {
                    targets[i * width + j] = ids[j + 1];
                }
            }
        }

        return (torch.tensor(inputs, [problems.Count, width]), torch.tensor(targets, [problems.Count, width]));
    }
}
