using System.Globalization;
using Tts.Runtime.Sampling;
using Tts.Serving.Protocol;
using static TorchSharp.torch;

namespace Tts.Serving.Scheduling;

/// <summary>
/// What happens to a request's rows of next-token log-probabilities before sampling: <c>logit_bias</c> added and
/// tokens outside <c>allowed_token_ids</c> removed (as vLLM's logits processors, before temperature), renormalized;
/// then the runtime's own <see cref="TokenSampler"/> applies temperature, top-k, top-p and min-p and samples.
/// Requests with equal processors share one sampler call per step (<see cref="Key"/>).
/// </summary>
internal sealed class RowProcessor : IDisposable
{
    private readonly double[]? _biasValues;
    private Tensor? _bias;

    public RowProcessor(CompletionRequest request, int vocabularySize)
    {
        Sampling = request.Sampling;
        Logprobs = request.Logprobs;
        if (request.LogitBias.Count > 0 || request.AllowedTokenIds is not null)
        {
            var bias = new double[vocabularySize];
            if (request.AllowedTokenIds is { } allowed)
            {
                Array.Fill(bias, double.NegativeInfinity);
                foreach (var id in allowed)
                {
                    bias[id] = 0.0;
                }
            }

            foreach (var (id, value) in request.LogitBias)
            {
                bias[id] += value;
            }

            _biasValues = bias;
        }

        Key = string.Join(
            "|",
            Sampling.Temperature.ToString("R", CultureInfo.InvariantCulture),
            Sampling.TopK,
            Sampling.TopP.ToString("R", CultureInfo.InvariantCulture),
            Sampling.MinP.ToString("R", CultureInfo.InvariantCulture),
            Logprobs?.ToString(CultureInfo.InvariantCulture) ?? "-",
            BiasKey(request));
    }

    public SamplingOptions Sampling { get; }

    public int? Logprobs { get; }

    /// <summary>Equal keys: the same transform, so their rows can be sampled in one call.</summary>
    public string Key { get; }

    /// <summary>The rows' law before temperature and truncation: the model's, biased and masked when asked.</summary>
    public Tensor Base(Tensor logProbs)
    {
        if (_biasValues is null)
        {
            return logProbs;
        }

        // Made on first use, where the logits are (the scheduler thread, the model's device).
        _bias ??= tensor(_biasValues, [1, _biasValues.Length], float64, logProbs.device).DetachFromDisposeScope();
        return (logProbs + _bias).log_softmax(1);
    }

    /// <summary>Rows of <see cref="Base"/> with no finite entry (no allowed token has mass); null when nothing is masked.</summary>
    public bool[]? Empty(Tensor baseLogProbs) =>
        _biasValues is null ? null : baseLogProbs.amax([1]).isneginf().cpu().data<bool>().ToArray();

    public void Dispose()
    {
        _bias?.Dispose();
        _bias = null;
    }

    private static string BiasKey(CompletionRequest request)
    {
        if (request.LogitBias.Count == 0 && request.AllowedTokenIds is null)
        {
            return "";
        }

        var allowed = request.AllowedTokenIds is null ? "*" : string.Join(",", request.AllowedTokenIds.Order());
        var bias = string.Join(",", request.LogitBias.OrderBy(e => e.Key).Select(e => $"{e.Key}:{e.Value.ToString("R", CultureInfo.InvariantCulture)}"));
        return allowed + "/" + bias;
    }
}
