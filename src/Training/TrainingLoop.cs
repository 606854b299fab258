using TorchSharp;
using TorchSharp.Modules;
using Tts.Runtime.Models.Transformer;
using static TorchSharp.torch;

namespace Tts.Training;

/// <summary>
/// What both trainers share: weights turned into trainable parameters, AdamW with linear warm-up and cosine decay,
/// gradient clipping, and progress lines.
/// </summary>
internal sealed class TrainingLoop : IDisposable
{
    private readonly OptimizerHelper _optimizer;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly TrainingOptions _options;

    public TrainingLoop(IReadOnlyList<Parameter> parameters, TrainingOptions options)
    {
        _parameters = parameters;
        _options = options;
        _optimizer = torch.optim.AdamW(parameters, lr: options.LearningRate, weight_decay: options.WeightDecay);
    }

    /// <summary>The weights as trainable parameters (copies; ties kept), in the structure the runtime network reads.</summary>
    public static LlamaWeights Trainable(LlamaWeights weights) =>
        weights.Map(t => new Parameter(t.detach().clone(), requires_grad: true).DetachFromDisposeScope());

    public static Parameter Parameter(Tensor initial) => (Parameter)new Parameter(initial.detach().clone(), requires_grad: true).DetachFromDisposeScope();

    /// <summary>Limits intra-op threads (the project's machines have 2 cores).</summary>
    public static void UseThreads(int threads)
    {
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>One optimizer step on <paramref name="loss"/> at step <paramref name="step"/> (0-based) of the schedule.</summary>
    public void Step(Tensor loss, int step)
    {
        var warmup = Math.Max(1, _options.Steps / 20);
        var rate = step < warmup
            ? _options.LearningRate * (step + 1) / warmup
            : _options.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / Math.Max(1, _options.Steps - warmup))));
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }

        _optimizer.zero_grad();
        loss.backward();
        torch.nn.utils.clip_grad_norm_(_parameters, 1.0);
        _optimizer.step();
    }

    public void Dispose() => _optimizer.Dispose();
}
