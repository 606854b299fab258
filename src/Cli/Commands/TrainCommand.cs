using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tts.Cli.Output;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Checkpoints;
using Tts.Tasks;
using Tts.Runtime.Models.Transformer;
using Tts.Training;
using Tts.Training.Arithmetic;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts train policy [--task NAME] --out DIR</c> and <c>tts train prm [--task NAME] --policy DIR --out DIR</c>: train
/// a generated task's (arithmetic by default) policy and its process reward model from scratch (CPU, seeded) and write them as Hugging Face model directories.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("train", "Train the shipped models of a generated task (policy, then process reward model)");
        command.Subcommands.Add(Policy(output));
        command.Subcommands.Add(RewardModel(output));
        return command;
    }

    private static Command Policy(TextWriter output)
    {
        var (outDir, steps, batch, rate, seed, threads) = CommonOptions(new TrainingOptions());
        var hidden = new Option<int>("--hidden")
        {
            Description = $"Hidden size (a multiple of {2 * ArithmeticModels.Heads}: {ArithmeticModels.Heads} heads of even width)",
            DefaultValueFactory = _ => ArithmeticModels.DefaultHidden,
        };
        var layers = new Option<int>("--layers") { Description = "Decoder layers", DefaultValueFactory = _ => ArithmeticModels.DefaultLayers };
        var task = TaskOption();
        var command = new Command("policy", "Train a task's policy (a character-level Llama decoder)") { task, outDir, steps, batch, rate, seed, threads, hidden, layers };
        command.SetAction(result =>
        {
            var options = Read(result, steps, batch, rate, seed, threads);
            var generated = FindTask(result.GetValue(task)!);
            var (hiddenSize, layerCount) = (result.GetValue(hidden), result.GetValue(layers));
            CheckPolicyShape(hiddenSize, layerCount, generated);
            if ((long)options.Steps * options.BatchSize > int.MaxValue)
            {
                throw new CliException($"--steps × --batch is the number of training problems and must be at most {int.MaxValue}, but it is {(long)options.Steps * options.BatchSize}");
            }

            var directory = result.GetValue(outDir)!;
            using var claim = ClaimModel(directory);
            var clock = Stopwatch.StartNew();
            using var model = PolicyTrainer.Train(generated, options, output, ArithmeticModels.PolicyConfig(hiddenSize, layerCount, task: generated));
            model.Save(directory, SafetensorsDType.F32);
            claim.Keep();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained in {clock.Elapsed.TotalMinutes:F1} min; saved to {directory}"));
            // Sampling 400 problems takes minutes on a CPU: say so, and print each level as it finishes.
            output.WriteLine($"checking single-sample accuracy on the test split (temperature 1, 100 problems per level, levels {generated.MinLevel} to {generated.MaxLevel})...");
            var accuracy = PolicyReport.Accuracy(generated, model, 100, 1.0, (ulong)options.Seed, (level, value) =>
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  level {level}: {value:P0} ({clock.Elapsed.TotalMinutes:F1} min)")));
            output.WriteLine("single-sample accuracy on the test split (temperature 1, 100 problems per level): " + PolicyReport.Format(accuracy));
            return TtsCommandLine.Success;
        });
        return command;
    }

    private static Command RewardModel(TextWriter output)
    {
        var defaults = RewardModelTrainer.DefaultOptions;
        var (outDir, steps, batch, rate, seed, threads) = CommonOptions(defaults);
        var policy = new Option<string>("--policy") { Description = "The policy directory whose samples the reward model learns from", Required = true };
        var init = new Option<string?>("--init")
        {
            Description = "A language model directory (same character vocabulary) whose decoder the reward model starts from; default: the policy",
        };
        var problems = new Option<int>("--problems") { Description = "Training problems sampled from the policy", DefaultValueFactory = _ => RewardModelTrainer.DefaultProblems };
        var samples = new Option<int>("--samples-per-problem") { Description = "Policy samples per problem", DefaultValueFactory = _ => RewardModelTrainer.DefaultSamplesPerProblem };
        var corrupted = new Option<int>("--corrupted-per-problem")
        {
            Description = "Hard negatives per problem: its canonical solution cut after one line with a slightly wrong result",
            DefaultValueFactory = _ => RewardModelTrainer.DefaultCorruptedPerProblem,
        };
        var task = TaskOption();
        var command = new Command("prm", "Train the process reward model on the policy's own samples, labelled by the exact step checker")
        {
            task, policy, init, outDir, steps, batch, rate, seed, threads, problems, samples, corrupted,
        };
        command.SetAction(result =>
        {
            var options = Read(result, steps, batch, rate, seed, threads);
            if (result.GetValue(problems) < 1 || result.GetValue(samples) < 1 || result.GetValue(corrupted) < 0)
            {
                throw new CliException("--problems and --samples-per-problem must be positive and --corrupted-per-problem not negative");
            }

            var directory = result.GetValue(outDir)!;
            using var claim = ClaimModel(directory);
            var clock = Stopwatch.StartNew();
            var policyDirectory = result.GetValue(policy)!;
            using var model = RewardModelTrainer.Train(
                FindTask(result.GetValue(task)!), policyDirectory, result.GetValue(init) ?? policyDirectory, options, result.GetValue(problems), result.GetValue(samples),
                result.GetValue(corrupted), output);
            model.Save(directory);
            claim.Keep();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained in {clock.Elapsed.TotalMinutes:F1} min; saved to {directory}"));
            return TtsCommandLine.Success;
        });
        return command;
    }

    /// <summary>
    /// Claims <c>DIR/model.safetensors</c> before any training, so that an --out that cannot be written, or that already
    /// holds a model, fails at once instead of after the training (and two trainings never share one directory).
    /// </summary>
    private static ClaimedFile ClaimModel(string directory) => ClaimedFile.Claim(Path.Combine(directory, "model.safetensors"), $"--out {directory}");

    /// <summary>
    /// A shape the network can run and this machine can train: heads of even width (rotary embeddings rotate pairs of
    /// dimensions; an odd width crashed in the first forward pass) and training state that fits in memory.
    /// </summary>
    private static void CheckPolicyShape(int hidden, int layers, IGeneratedTask task)
    {
        const int heads = ArithmeticModels.Heads;
        if (hidden < 2 * heads || hidden % (2 * heads) != 0)
        {
            throw new CliException($"--hidden must be a positive multiple of {2 * heads} ({heads} heads, each of even width for rotary embeddings), but it is {hidden}");
        }

        if (layers < 1)
        {
            throw new CliException($"--layers must be at least 1, but it is {layers}");
        }

        // Weights, gradients and AdamW's two moments, float32 each: a lower bound that ignores activations.
        var trainingBytes = 16 * ArithmeticModels.PolicyParameterCount(hidden, layers, task);
        var availableBytes = (double)RunOptions.AvailableMemoryBytes;
        if (trainingBytes > availableBytes)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"--hidden {hidden} and --layers {layers} make a policy of {ArithmeticModels.PolicyParameterCount(hidden, layers, task):G3} parameters, whose training state needs at least {trainingBytes / (1 << 30):G3} GiB; this machine has {availableBytes / (1 << 30):G3} GiB"));
        }
    }

    private static Option<string> TaskOption() =>
        new("--task") { Description = $"The generated task ({GeneratedTasks.Names})", DefaultValueFactory = _ => Tasks.Arithmetic.ArithmeticTask.Name };

    private static IGeneratedTask FindTask(string name) =>
        GeneratedTasks.Find(name) ?? throw new CliException($"--task {name}: unknown task (known: {GeneratedTasks.Names})");

    private static (Option<string> Out, Option<int> Steps, Option<int> Batch, Option<double> Rate, Option<int> Seed, Option<int> Threads) CommonOptions(TrainingOptions defaults) =>
        (new Option<string>("--out") { Description = "Directory to write the model to", Required = true },
         new Option<int>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => defaults.Steps },
         new Option<int>("--batch") { Description = "Sequences per step", DefaultValueFactory = _ => defaults.BatchSize },
         new Option<double>("--lr") { Description = "Peak learning rate (AdamW, warm-up then cosine decay)", DefaultValueFactory = _ => defaults.LearningRate },
         new Option<int>("--seed") { Description = "Seed of the data and the initial weights", DefaultValueFactory = _ => defaults.Seed },
         new Option<int>("--threads") { Description = "CPU threads (0: TorchSharp's default)", DefaultValueFactory = _ => defaults.Threads });

    private static TrainingOptions Read(ParseResult result, Option<int> steps, Option<int> batch, Option<double> rate, Option<int> seed, Option<int> threads)
    {
        var options = new TrainingOptions
        {
            Steps = result.GetValue(steps),
            BatchSize = result.GetValue(batch),
            LearningRate = result.GetValue(rate),
            Seed = result.GetValue(seed),
            Threads = result.GetValue(threads),
        };
        if (options.Steps < 1 || options.BatchSize < 1 || !(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
        {
            throw new CliException("--steps, --batch and --lr must be positive (--lr finite)");
        }

        if (options.Threads < 0)
        {
            throw new CliException($"--threads must be 0 (TorchSharp's default) or more, but it is {options.Threads}");
        }

        return options;
    }
}
