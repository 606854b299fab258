using System.Text.Json;
using Tts.Tasks;
using Tts.Tasks.Reach;
using Tts.TestSupport;
using Tts.Training;
using Tts.Training.Arithmetic;

namespace Tts.Cli.Tests;

/// <summary>The second generated task through the commands: `tts eval --task reach` grades with the exact checker; `tts train --task reach` trains its shape.</summary>
public sealed class ReachTaskCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-reach-");

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A model that always answers "A: *2" is right exactly on the problems whose target is twice the start (one move:
    /// a shortest plan, canonical or not — the canonical plan of 3 &gt; 6 is "+3"), counted here independently.
    /// </summary>
    [Fact]
    public void Eval_on_reach_counts_exactly_the_problems_an_answer_is_a_shortest_plan_of()
    {
        var vocabulary = ReachTask.Alphabet.Select(c => c.ToString()).Append("A: *2").Append("<eos>").ToList();
        var rows = new Dictionary<string, double[]>
        {
            [""] = vocabulary.Select(t => t == "A: *2" ? 1.0 : 0.0).ToArray(),
            ["A: *2"] = vocabulary.Select(t => t == "<eos>" ? 1.0 : 0.0).ToArray(),
        };
        var model = _folder.Write("doubling.json", JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["format"] = "tts-tabular-lm/1", ["vocab"] = vocabulary, ["eos"] = "<eos>", ["order"] = 1, ["max_tokens"] = 4, ["probs"] = rows,
        }));
        var outDir = _folder.Combine("out");
        var result = CliRunner.Run(
            "eval", RepoPaths.Combine("examples", "eval", "majority_vote.tts"), "--task", "reach", "--problems", "40", "--budgets", "2",
            "--model", "policy=tabular:" + model, "--out", outDir);

        Assert.True(result.ExitCode == 0, result.Error);
        var expected = ReachTask.Problems(TaskSplit.Test, 40, ReachTask.TestSeed).Count(p => p.Target == 2 * p.Start);
        Assert.InRange(expected, 1, 39); // the check means something only if some problems are right and some wrong
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal("reach", json.RootElement.GetProperty("task").GetString());
        Assert.Equal(expected, json.RootElement.GetProperty("results")[0].GetProperty("correct").GetInt32());
    }

    [Fact]
    public void An_unknown_task_is_a_one_line_error()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("train", "policy", "--task", "chess", "--out", _folder.Combine("p")), "--task chess: unknown task (known: arithmetic, reach)");
        CliRunner.AssertOneLineError(
            CliRunner.Run("eval", RepoPaths.Combine("examples", "eval", "single.tts"), "--task", "chess"), "--task chess: file not found (use a generated task, arithmetic, reach, or a JSONL file");
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public void A_reach_policy_has_the_reach_vocabulary_and_learns()
    {
        var log = new StringWriter();
        var options = new TrainingOptions { Steps = 40, BatchSize = 16, LearningRate = 1e-2, Seed = 4, LogEvery = 10 };
        using var model = PolicyTrainer.Train(ReachTask.Definition, options, log, ArithmeticModels.PolicyConfig(hidden: 32, layers: 1, heads: 2, task: ReachTask.Definition));
        Assert.Equal(1 + ReachTask.Alphabet.Length, model.Config.VocabSize);
        Assert.Equal("Q: 5>26\n".Length, model.Encode("Q: 5>26\n").Length); // one token per character, '>' included
        var losses = log.ToString().Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split("loss ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(losses[^1] < 0.8 * losses[0], string.Join(", ", losses));
    }
}
