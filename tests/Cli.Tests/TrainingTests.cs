using System.Globalization;
using Tts.Training;
using Tts.Tasks.Arithmetic;
using Tts.Training.Arithmetic;

namespace Tts.Cli.Tests;

/// <summary>Training runs the runtime's network with gradients: a tiny policy learns, and what it saves loads and runs.</summary>
public sealed class TrainingTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-train-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void A_tiny_policy_lowers_its_loss_and_saves_a_model_the_runtime_loads()
    {
        var log = new StringWriter();
        var options = new TrainingOptions { Steps = 60, BatchSize = 16, LearningRate = 1e-2, Seed = 4, LogEvery = 10 };
        using var model = PolicyTrainer.Train(options, log, ArithmeticModels.PolicyConfig(hidden: 32, layers: 1, heads: 2));
        Assert.Equal(ArithmeticModels.PolicyParameterCount(32, 1), model.ParameterCount); // what `tts train policy` sizes memory by
        var losses = log.ToString().Split('\n')
            .Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split("loss ")[1].Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(6, losses.Count);

        // Uniform guessing over 21 characters costs ln 21 ≈ 3.04 nats; the answer format alone is learnable fast.
        Assert.True(losses[^1] < 0.8 * losses[0], string.Join(", ", losses));

        var directory = _folder.Combine("policy");
        model.Save(directory, Tts.Runtime.Models.Checkpoints.SafetensorsDType.F32);
        var run = CliRunner.Run("run", Tts.TestSupport.RepoPaths.Combine("examples", "eval", "single.tts"),
            "--model", "policy=transformer:" + directory, "--prompt", "Q: 2+3=?\n", "--samples", "2", "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
    }

    /// <summary>A corrupted solution is on track up to its last line, which the exact checker rejects; every line position occurs.</summary>
    [Fact]
    public void Corrupted_solutions_end_with_exactly_one_wrong_line()
    {
        var random = new Random(7);
        var positions = new HashSet<(int Level, int Line)>();
        foreach (var problem in Tts.Tasks.Arithmetic.ArithmeticTask.Problems(Tts.Tasks.TaskSplit.Train, 400, 11))
        {
            var solution = CorruptedSolutions.Draw(problem, random);
            var verdicts = Tts.Tasks.Arithmetic.ArithmeticChecker.CheckSteps(problem, solution);
            Assert.False(verdicts[^1], $"{problem.Prompt}{solution}");
            Assert.All(verdicts.Take(verdicts.Count - 1), Assert.True);
            Assert.True(verdicts.Count <= problem.Steps.Count + 1);
            positions.Add((problem.Level, verdicts.Count - 1));
        }

        // Levels 1..4 have 1..4 steps and an answer line: 2 + 3 + 4 + 5 line positions.
        Assert.Equal(14, positions.Count);
    }

    /// <summary>
    /// `tts train prm --init DIR`: the reward model starts from another language model's decoder (here wider than the
    /// policy), learns from the policy's samples, and saves a reward model of the starting model's shape that scores text.
    /// </summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void A_reward_model_can_start_from_a_language_model_other_than_the_policy()
    {
        var tiny = new TrainingOptions { Steps = 2, BatchSize = 4, Seed = 5 };
        var policy = _folder.Combine("policy");
        var verifierBase = _folder.Combine("base");
        using (var model = PolicyTrainer.Train(tiny, TextWriter.Null, ArithmeticModels.PolicyConfig(hidden: 16, layers: 1, heads: 2)))
        {
            model.Save(policy, Tts.Runtime.Models.Checkpoints.SafetensorsDType.F32);
        }

        using (var model = PolicyTrainer.Train(tiny, TextWriter.Null, ArithmeticModels.PolicyConfig(hidden: 24, layers: 2, heads: 2)))
        {
            model.Save(verifierBase, Tts.Runtime.Models.Checkpoints.SafetensorsDType.F32);
        }

        var prm = _folder.Combine("prm");
        var trained = CliRunner.Run("train", "prm", "--policy", policy, "--init", verifierBase, "--out", prm,
            "--steps", "2", "--batch", "4", "--problems", "8", "--samples-per-problem", "2");
        Assert.True(trained.ExitCode == 0, trained.Error);
        Assert.Contains("held-out steps:", trained.Output, StringComparison.Ordinal);

        using var rewardModel = Tts.Runtime.Models.Transformer.TransformerRewardModel.Load(prm);
        Assert.Equal(24, rewardModel.Config.HiddenSize);
        Assert.Equal(2, rewardModel.Config.LayerCount);
        Assert.All(rewardModel.Score(["Q: 2+3=?\n2+3=5"]), score => Assert.InRange(score, 0.0, 1.0));

        var missing = CliRunner.Run("train", "prm", "--policy", policy, "--init", _folder.Combine("nowhere"), "--out", _folder.Combine("x"));
        CliRunner.AssertOneLineError(missing, "nowhere");
        var negative = CliRunner.Run("train", "prm", "--policy", policy, "--out", _folder.Combine("y"), "--corrupted-per-problem", "-1");
        CliRunner.AssertOneLineError(negative, "--corrupted-per-problem");
    }

    public static TheoryData<string[], string> ImpossiblePolicies => new()
    {
        // 4 heads of width 1 and 3: rotary embeddings rotate pairs of dimensions, so a head's width must be even.
        { ["--hidden", "4"], "--hidden" },
        { ["--hidden", "12"], "--hidden" },
        { ["--hidden", "0"], "--hidden" },
        { ["--hidden", "-8"], "--hidden" },
        { ["--layers", "0"], "--layers" },
        // About 4·10¹³ parameters: no machine holds their training state.
        { ["--hidden", "1048576"], "--hidden 1048576 and --layers 3" },
        { ["--hidden", "2147483640"], "--hidden 2147483640 and --layers 3" },
        { ["--layers", "2000000000"], "--hidden 128 and --layers 2000000000" },
        { ["--threads", "-1"], "--threads" },
        { ["--lr", "Infinity"], "--lr" },
        // 65536 × 65536 problems overflowed the int count of training problems to 0.
        { ["--steps", "65536", "--batch", "65536"], "--steps" },
    };

    /// <summary>After "trained in", the accuracy check sampled for about 2 minutes with no output: it says what it does and prints each level.</summary>
    [Fact]
    [Trait("Category", Tts.TestSupport.TestCategories.Slow)]
    public void Training_a_policy_reports_the_accuracy_check_level_by_level()
    {
        var result = CliRunner.Run("train", "policy", "--out", _folder.Combine("policy"), "--steps", "1", "--batch", "2", "--hidden", "8", "--layers", "1");

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.OutputLines.SkipWhile(l => !l.StartsWith("trained in", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("checking single-sample accuracy on the test split", lines[1], StringComparison.Ordinal);
        Assert.Equal(["  level 1: ", "  level 2: ", "  level 3: ", "  level 4: "], lines.Skip(2).Take(4).Select(l => l[..11]));
        Assert.StartsWith("single-sample accuracy on the test split", lines[6], StringComparison.Ordinal);
    }

    /// <summary>Options that describe no trainable policy are one line before any training (they crashed, or trained garbage).</summary>
    [Theory]
    [MemberData(nameof(ImpossiblePolicies))]
    public void An_impossible_policy_shape_or_option_is_a_one_line_error(string[] options, string named)
    {
        // Short training where the options leave it to us, so that a regression fails fast rather than trains.
        string[] fast = options.Contains("--steps") ? [] : ["--steps", "1", "--batch", "2"];
        var result = CliRunner.Run(["train", "policy", "--out", _folder.Combine("policy"), .. fast, .. options]);

        Assert.Equal(2, result.ExitCode);
        CliRunner.AssertOneLineError(result, named);
        Assert.False(Directory.Exists(_folder.Combine("policy")));
    }
}
