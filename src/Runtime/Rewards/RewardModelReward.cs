using Tts.Runtime.Execution;
using Tts.Runtime.Models.Transformer;

namespace Tts.Runtime.Rewards;

/// <summary>
/// A learned process reward (<c>reward prm: Score</c>) backed by a reward model (<see cref="TransformerRewardModel"/>,
/// or the same model as GGUF on llama.cpp: any <see cref="ITextScorer"/>): each text
/// is scored after its run's prompt (the run found through <see cref="FunctionCallContext"/>: a process reward judges a
/// partial solution of a question), all texts of a batch in batched forward passes. Without prompts the texts are
/// scored as they are.
/// </summary>
public sealed class RewardModelReward : IReward
{
    private readonly ITextScorer _model;
    private readonly Func<int, string>? _promptOfRun;

    /// <param name="model">The reward model.</param>
    /// <param name="promptOfRun">The prompt of each run, by run index (<see cref="RunResult.Run"/>); null: no prompt.</param>
    public RewardModelReward(ITextScorer model, Func<int, string>? promptOfRun = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _promptOfRun = promptOfRun;
    }

    /// <summary>A reward whose run i was asked <paramref name="promptPerRun"/>[i].</summary>
    public RewardModelReward(ITextScorer model, IReadOnlyList<string> promptPerRun)
        : this(model, run => promptPerRun[run])
    {
    }

    public RewardKind Kind => RewardKind.Score;

    public IReadOnlyList<double> Evaluate(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var inputs = new string[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            // A step ends at its line's last character, where the model was trained to judge it.
            var text = texts[i].TrimEnd('\n');
            inputs[i] = _promptOfRun is null ? text : _promptOfRun(FunctionCallContext.RunOf(i)) + text;
        }

        return _model.Score(inputs);
    }
}
