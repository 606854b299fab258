using Tts.Runtime.Models;

namespace Tts.Runtime.Decoding;

/// <summary>
/// A model that samples whole continuations itself (an inference server in server-side sampling mode) instead of
/// handing the runtime full next-token distributions. <see cref="PopulationDecoder"/> delegates the decodes of such a
/// model to <see cref="ServerSampledDecoder"/>; the model's decode state then only tracks token contexts.
/// </summary>
public interface IServerSampler
{
    /// <summary>True when this model samples on the server (its decode state gives no next-token distributions).</summary>
    bool SamplesOnServer { get; }

    /// <summary>
    /// Samples one continuation per request and returns them in request order. The model may join requests of one run
    /// that continue the same context under the same options into one server request with <c>n</c> choices (their draws
    /// are still independent). Cancellation aborts the requests in flight.
    /// </summary>
    IReadOnlyList<SampledContinuation> Sample(IDecodeState state, IReadOnlyList<ContinuationRequest> requests, CancellationToken cancellation);
}

/// <summary>
/// The continuation of one row. <c>Run</c>: its run in the batch (requests join only within a run, so a run's draws
/// never depend on what it is batched with). <c>IncludeStop</c>: a stop string stays in the text (a step of smc or
/// search). <c>Seed</c>: the row's counter-based key, so a rerun sends the same requests.
/// </summary>
public sealed record ContinuationRequest(int Row, int Run, DecodeOptions Options, bool IncludeStop, ulong Seed);

/// <summary>
/// One continuation: its token ids, the log-probability of each under the law the server sampled from, whether the
/// server ended it at EOS (which it may leave out of the token ids), and the completion tokens the server reported for
/// it (a joined request's whole usage is on its first row, so sums per run are exact).
/// </summary>
public sealed record SampledContinuation(int[] Tokens, double[] LogProbs, bool EndedAtEos, long CompletionTokens);
