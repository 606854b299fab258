using Tts.Runtime.Sampling;

namespace Tts.Serving.Protocol;

/// <summary>One prompt of a request: its token ids, and its text as the client sent it (null for a token-id prompt).</summary>
internal sealed record PromptInput(int[] Ids, string? Text);

/// <summary>
/// A validated <c>/v1/completions</c> (or chat) request, with every option in the model's terms: token ids checked
/// against the vocabulary, limits applied. Choice i of prompt p is <c>choices[p * N + i]</c>, as OpenAI orders them.
/// </summary>
internal sealed record CompletionRequest(
    string Model,
    IReadOnlyList<PromptInput> Prompts,
    int N,
    int MaxTokens,
    ulong Seed,
    SamplingOptions Sampling,
    IReadOnlyList<string> Stop,
    IReadOnlyList<int> StopTokenIds,
    bool IncludeStopStrInOutput,
    int? Logprobs,
    int? PromptLogprobs,
    bool Echo,
    bool TokensAsIds,
    IReadOnlyList<int>? AllowedTokenIds,
    IReadOnlyDictionary<int, double> LogitBias)
{
    public int Sequences => Prompts.Count * N;

    /// <summary>Log-probabilities of the prompt's own tokens are needed (echo with logprobs, or prompt_logprobs).</summary>
    public bool ScoresPrompt => PromptLogprobs is not null || (Echo && Logprobs is not null);
}
