using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Tasks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tts.Training.Arithmetic;

/// <summary>
/// Trains the process reward model: the policy samples solutions of training-split problems (temperature 1); the
/// exact step checker labels every line (1 while the solution is still on track), as it labels the corrupted canonical
/// solutions added to training; a copy of a decoder (the policy's, or a separately trained language model's, whose
/// slips are not the policy's) with a new scalar head learns, by binary cross-entropy at each line's last character,
/// the probability that the solution is still on track there. One in ten policy samples is held out to report how
/// well the scores separate.
/// </summary>
public static class RewardModelTrainer
{
    public const int DefaultProblems = 2000;
    public const int DefaultSamplesPerProblem = 4;
    public const int DefaultCorruptedPerProblem = 8;

    public static TrainingOptions DefaultOptions { get; } = new() { Steps = 800, BatchSize = 64, LearningRate = 1e-3, Seed = 2 };

    /// <param name="policyDirectory">The policy whose samples are labelled.</param>
    /// <param name="initDirectory">The language model whose decoder the reward model starts from (the policy itself, or
    /// a separately trained one, whose arithmetic slips are not the policy's).</param>
    /// <param name="corruptedPerProblem">Hard negatives per problem (<see cref="IGeneratedProblem.Corrupt"/>), for training only:
    /// the held-out report is on the policy's samples alone.</param>
    public static TransformerRewardModel Train(
        IGeneratedTask task, string policyDirectory, string initDirectory, TrainingOptions options, int problemCount, int samplesPerProblem, int corruptedPerProblem,
        TextWriter log)
    {
        TrainingLoop.UseThreads(options.Threads);
        using var policy = TransformerModel.Load(policyDirectory, new TransformerOptions { Device = DevicePreference.Cpu });
        using var init = initDirectory == policyDirectory ? null : TransformerModel.Load(initDirectory, new TransformerOptions { Device = DevicePreference.Cpu });
        var start = init ?? policy;
        if (start.Config.VocabSize != policy.Config.VocabSize || !start.Encode(task.Alphabet).SequenceEqual(policy.Encode(task.Alphabet)))
        {
            throw new ModelException($"the reward model's starting model '{initDirectory}' does not share the policy's character vocabulary");
        }

        var clock = Stopwatch.StartNew();
        var problems = task.Problems(TaskSplit.Train, problemCount, options.Seed * 7919);
        var samples = PolicySampler.Sample(policy, problems.Select(p => p.Prompt).ToList(), samplesPerProblem, 1.0, 128, (ulong)options.Seed);
        var examples = new List<Example>();
        for (var i = 0; i < problems.Count; i++)
        {
            foreach (var sample in samples[i])
            {
                if (Example.Of(problems[i], sample, policy) is { } example)
                {
                    examples.Add(example);
                }
            }
        }

        var random = new Random(options.Seed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(examples));
        var heldOut = examples.Take(examples.Count / 10).ToList();
        var training = examples.Skip(heldOut.Count).ToList();
        var corrupted = problems
            .SelectMany(p => Enumerable.Range(0, corruptedPerProblem).Select(_ => Example.Of(p, p.Corrupt(random), policy)))
            .OfType<Example>()
            .ToList();
        var labels = training.SelectMany(e => e.Labels).ToList();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prm: {examples.Count} policy samples in {clock.Elapsed.TotalSeconds:F0} s ({samples.SelectMany(s => s).Count()} drawn), "
            + $"{labels.Count} labelled steps, {labels.Average():P0} on track; {heldOut.Count} samples held out; "
            + $"{corrupted.Count} corrupted canonical solutions added to training"));
        training.AddRange(corrupted);

        var weights = TrainingLoop.Trainable(start.Network.Weights);
        TorchSharp.Modules.Parameter head;
        using (var zeros = torch.zeros(1, start.Config.HiddenSize))
        {
            head = TrainingLoop.Parameter(zeros);
        }

        var model = TransformerRewardModel.FromWeights(weights, head, ArithmeticModels.Tokenizer(task), "trained reward model");
        var parameters = weights.DistinctTensors().Cast<TorchSharp.Modules.Parameter>().Append(head).ToList();
        using (var loop = new TrainingLoop(parameters, options))
        {
            double smoothed = double.NaN;
            for (var step = 0; step < options.Steps; step++)
            {
                using var scope = torch.NewDisposeScope();
                var batch = Enumerable.Range(0, options.BatchSize).Select(_ => training[random.Next(training.Count)]).ToList();
                var loss = Loss(model, batch);
                loop.Step(loss, step);
                var value = loss.item<float>();
                smoothed = double.IsNaN(smoothed) ? value : 0.95 * smoothed + 0.05 * value;
                if ((step + 1) % options.LogEvery == 0 || step + 1 == options.Steps)
                {
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{options.Steps}  loss {smoothed:F4}  {clock.Elapsed.TotalSeconds:F0} s"));
                }
            }
        }

        var frozenWeights = weights.Map(t => t.detach().clone().DetachFromDisposeScope());
        var frozenHead = head.detach().clone().DetachFromDisposeScope();
        model.Dispose();
        var trained = TransformerRewardModel.FromWeights(frozenWeights, frozenHead, ArithmeticModels.Tokenizer(task), "trained reward model");
        log.WriteLine(HeldOutReport(trained, heldOut));
        return trained;
    }

    private static Tensor Loss(TransformerRewardModel model, IReadOnlyList<Example> batch)
    {
        var (tokens, _) = TransformerRewardModel.Pad(batch.Select(e => e.Ids).ToList(), model.Network.Device);
        var logits = model.PositionLogits(tokens);
        var rows = batch.SelectMany((e, i) => e.Positions.Select(_ => (long)i)).ToArray();
        var columns = batch.SelectMany(e => e.Positions.Select(p => (long)p)).ToArray();
        var targets = batch.SelectMany(e => e.Labels).Select(l => (float)l).ToArray();
        var picked = logits[torch.tensor(rows), torch.tensor(columns)];
        return F.binary_cross_entropy_with_logits(picked, torch.tensor(targets));
    }

    /// <summary>Held-out step verdicts against scores: accuracy at 0.5 and the mean score of on-track and off-track steps.</summary>
    private static string HeldOutReport(TransformerRewardModel model, IReadOnlyList<Example> heldOut)
    {
        var scores = new List<(double Score, int Label)>();
        foreach (var example in heldOut)
        {
            var texts = example.Positions.Select(p => example.Text[..(p + 1)]).ToList();
            var values = model.Score(texts);
            scores.AddRange(values.Select((v, i) => (v, example.Labels[i])));
        }

        var accuracy = scores.Average(s => (s.Score >= 0.5) == (s.Label == 1) ? 1.0 : 0.0);
        var onTrack = scores.Where(s => s.Label == 1).Select(s => s.Score).DefaultIfEmpty(double.NaN).Average();
        var offTrack = scores.Where(s => s.Label == 0).Select(s => s.Score).DefaultIfEmpty(double.NaN).Average();
        return string.Create(CultureInfo.InvariantCulture,
            $"held-out steps: {scores.Count}, accuracy {accuracy:P1} at 0.5; mean score {onTrack:F3} on track, {offTrack:F3} off track");
    }

    /// <summary>One labelled sample: the ids of prompt + solution, the last character of each line, and its verdict.</summary>
    private sealed record Example(string Text, int[] Ids, int[] Positions, int[] Labels)
    {
        public static Example? Of(IGeneratedProblem problem, string solution, TransformerModel policy)
        {
            var verdicts = problem.CheckSteps(solution);
            var lines = Tts.Tasks.Arithmetic.ArithmeticChecker.SplitLines(solution);
            if (lines.Count == 0)
            {
                return null;
            }

            // Character vocabulary: one id per character, so a character index is a token index.
            var text = problem.Prompt + solution.TrimEnd('\n');
            var ids = policy.Encode(text);
            if (ids.Length != text.Length)
            {
                return null; // a character outside the vocabulary: nothing to learn from this sample
            }

            var positions = new List<int>();
            var end = problem.Prompt.Length - 1;
            foreach (var line in lines)
            {
                end += line.Length + (positions.Count == 0 ? 0 : 1);
                positions.Add(end);
            }

            var kept = positions.Select((p, i) => (p, i)).Where(x => lines[x.i].Length > 0).ToList();
            return kept.Count == 0 ? null
                : new Example(text, ids, kept.Select(x => x.p).ToArray(), kept.Select(x => verdicts[x.i] ? 1 : 0).ToArray());
        }
    }
}
