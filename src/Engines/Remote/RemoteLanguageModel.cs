using Tts.Runtime.Decoding;
using Tts.Runtime.Models;
using Tts.Semantics;

namespace Tts.Engines.Remote;

/// <summary>
/// A model behind an OpenAI-compatible completions server. Sampled client-side (the default): each decode step asks
/// the server for the full next-token law of every live row (one request per distinct context,
/// <see cref="NextTokenLaw"/>) and the runtime's own sampler, masks, weights and counter-based randomness do the rest;
/// every strategy keeps its guarantee for the served model's law, at one request per row per token carrying V
/// log-probabilities. Sampled server-side (<c>?sampling=server</c>): each decode asks once per row for its whole
/// continuation (<see cref="ServerContinuations"/>); statements that need full distributions are refused.
/// </summary>
public sealed class RemoteLanguageModel : ILanguageModel, IServerSampler
{
    private readonly ServedTokenizer _tokenizer;

    public RemoteLanguageModel(CompletionsClient client, ServedTokenizer tokenizer)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
    }

    public CompletionsClient Client { get; }

    public Vocabulary Vocabulary => _tokenizer.Vocabulary;

    /// <summary>
    /// Client-side: everything the runtime builds on the full law — masks, seeds and scoring are the client's own —
    /// except shared prefix state: each request re-sends its row's context, and reuse is left to the server's prefix
    /// cache. Server-side: only the sampled tokens' log-probabilities and seeds.
    /// </summary>
    public ModelCapabilities Capabilities => SamplesOnServer
        ? ModelCapabilities.SampledTokenLogProbs | ModelCapabilities.Seeds
        : ModelCapabilities.All & ~ModelCapabilities.SharedPrefix;

    public bool SamplesOnServer => Client.Endpoint.Sampling == RemoteSampling.Server;

    /// <summary>Opens <c>URL?tokenizer=PATH[#served-model]</c> (<see cref="RemoteEndpoint"/>); nothing is sent until the first step.</summary>
    public static RemoteLanguageModel Open(string spec, HttpMessageHandler? handler = null)
    {
        var endpoint = RemoteEndpoint.Parse(spec);
        var tokenizer = ServedTokenizer.Load(endpoint.TokenizerPath);
        return new RemoteLanguageModel(new CompletionsClient(endpoint, handler), tokenizer);
    }

    public int[] Encode(string text) => _tokenizer.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(promptOfRow);
        var contexts = new RowContext[promptOfRow.Count];
        for (var row = 0; row < contexts.Length; row++)
        {
            var prompt = promptOfRow[row];
            if (prompt < 0 || prompt >= prompts.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(promptOfRow), prompt, $"Row {row} names a prompt outside the {prompts.Count} given.");
            }

            var context = _tokenizer.ContextOf(prompts[prompt]);
            if (context.Length == 0)
            {
                // Servers (vLLM, tts serve) refuse empty prompts; a model directory supplies BOS, a tabular vocabulary none.
                throw new RemoteException($"{Client.Endpoint}: an empty prompt cannot be sent to a server without a BOS token: give a prompt, or a tokenizer directory whose config.json names bos_token_id");
            }

            contexts[row] = RowContext.Of(context);
        }

        return new RemoteDecodeState(this, contexts);
    }

    public IReadOnlyList<SampledContinuation> Sample(IDecodeState state, IReadOnlyList<ContinuationRequest> requests, CancellationToken cancellation) =>
        state is RemoteDecodeState remote
            ? ServerContinuations.Sample(this, remote, requests, cancellation)
            : throw new ArgumentException("Only a decode state of this model can be continued on its server.", nameof(state));

    public void Dispose() => Client.Dispose();
}
