using TorchSharp;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Runtime.Tests.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Runtime.Tests.Rewards;

/// <summary>The transformer reward model (a scalar head on the Llama network) and its IReward wrapper.</summary>
public sealed class RewardModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-prm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TransformerRewardModel Create(long seed = 5)
    {
        var config = TinyTransformers.Config(tied: true);
        var weights = LlamaWeights.CreateRandom(config, seed, withAttentionBiases: false, torch.CPU);
        var generator = new Generator((ulong)seed + 1);
        var head = (torch.randn([1, config.HiddenSize], generator: generator) * 0.5).DetachFromDisposeScope();
        generator.Dispose();
        return TransformerRewardModel.FromWeights(weights, head, TinyTransformers.TokenizerJson, "random reward model");
    }

    private static readonly string[] Texts = ["abc", "a", "hgfedcba xyz", "", "é€ü\nab"];

    [Fact]
    public void Scores_are_probabilities_and_do_not_depend_on_the_batch()
    {
        using var model = Create();
        var together = model.Score(Texts);
        Assert.All(together, s => Assert.InRange(s, 0.0, 1.0));
        Assert.True(together.Distinct().Count() > 1, "a random head should tell texts apart");
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(together[i], model.Score([Texts[i]])[0], 1e-6);
        }
    }

    [Fact]
    public void A_score_is_the_sigmoid_of_the_head_on_the_last_normed_hidden_state()
    {
        using var model = Create();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = model.Encode("hgfedcba xyz");
        var hidden = model.Network.ForwardHidden(torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]));
        var expected = torch.sigmoid(hidden[0, ids.Length - 1].dot(model.Head[0])).item<float>();
        Assert.Equal(expected, model.Score(["hgfedcba xyz"])[0], 1e-6);
    }

    [Fact]
    public void Saved_and_loaded_it_scores_the_same()
    {
        using var model = Create();
        model.Save(_folder);
        using var loaded = TransformerRewardModel.Load(_folder, new TransformerOptions { Device = DevicePreference.Cpu });
        Assert.Equal(model.Score(Texts), loaded.Score(Texts));
        Assert.Contains("LlamaForSequenceClassification", File.ReadAllText(Path.Combine(_folder, "config.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_causal_model_directory_without_a_score_head_is_rejected_by_name()
    {
        using var policy = TinyTransformers.Create();
        policy.Save(_folder, Tts.Runtime.Models.Checkpoints.SafetensorsDType.F32);
        var error = Assert.Throws<ModelException>(() => TransformerRewardModel.Load(_folder, new TransformerOptions { Device = DevicePreference.Cpu }));
        Assert.Contains("no tensor 'score.weight'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reward_scores_each_text_after_its_runs_prompt_and_drops_a_trailing_newline()
    {
        using var model = Create();
        var reward = new RewardModelReward(model, ["ab\n", "x\n"]);
        Assert.Equal(RewardKind.Score, reward.Kind);
        IReadOnlyList<double> scores;
        using (FunctionCallContext.Enter([0, 0, 1, 1]))
        {
            scores = reward.Evaluate(["c", "d\n", "e", "fg"]);
        }

        Assert.Equal(model.Score(["ab\nc", "ab\nd", "x\ne", "x\nfg"]), scores);
    }

    [Fact]
    public void Bound_by_name_it_is_checked_like_any_reward()
    {
        using var model = Create();
        var bindings = new FunctionBindings().BindReward("prm", new RewardModelReward(model));
        Assert.Equal(model.Score(["abc"]), bindings.Reward("prm", RewardKind.Score).Evaluate(["abc"]));
        Assert.Throws<Tts.Runtime.Execution.RuntimeException>(() => bindings.Reward("prm", RewardKind.Prob));
    }
}
