using Tts.Runtime.Randomness;
using Tts.Serving.Protocol;

namespace Tts.Serving.Scheduling;

/// <summary>
/// One request inside the scheduler: its sequences (prompts × n), the prompt scores it asked for, and the task its
/// HTTP handler awaits. <see cref="Aborted"/> is the client's disconnect: the scheduler drops the job's rows at the
/// next step.
/// </summary>
internal sealed class CompletionJob
{
    /// <summary>The stream of <see cref="CounterRandom.RowKey"/> that completions draw from.</summary>
    public const int CompletionStream = 0x5E7E;

    public CompletionJob(CompletionRequest request, CancellationToken aborted)
    {
        Request = request;
        Aborted = aborted;
        Sequences = new Sequence[request.Sequences];
        for (var prompt = 0; prompt < request.Prompts.Count; prompt++)
        {
            for (var choice = 0; choice < request.N; choice++)
            {
                var index = prompt * request.N + choice;
                // Prompt p is run p, choice i is particle i: the same request and seed give the same keys, whatever
                // else the server is decoding.
                Sequences[index] = new Sequence(this, prompt, index, CounterRandom.RowKey(request.Seed, prompt, CompletionStream, choice));
            }
        }

        PromptScores = new IReadOnlyList<PositionLogprobs?>?[request.Prompts.Count];
    }

    public CompletionRequest Request { get; }

    public CancellationToken Aborted { get; }

    public Sequence[] Sequences { get; }

    /// <summary>Per prompt, per position, the prompt token's log-probability (null at position 0); null when not asked.</summary>
    public IReadOnlyList<PositionLogprobs?>?[] PromptScores { get; }

    /// <summary>Built by the scheduler thread on admission (it holds tensors of that thread's device).</summary>
    public RowProcessor? Processor { get; set; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
