using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Tts.Runtime.Sampling;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// The Llama-family forward pass: RMSNorm, rotary embeddings (Hugging Face's rotate-half layout), grouped-query
/// attention and a SwiGLU MLP. Two entry points: <see cref="Prefill"/> runs whole prompts causally (and fills a
/// cache's prefix), <see cref="DecodeStep"/> runs one new token per row against the cache. All tensor work happens
/// inside dispose scopes; only results the caller owns leave them.
/// </summary>
internal sealed class LlamaNetwork : IDisposable
{
    private readonly Tensor _inverseFrequencies;
    // Scalars held as fields, alive as long as the network (see Sampling/Scalars.cs for why not plain doubles).
    private readonly Scalar _attentionScale;
    private readonly Scalar _rmsNormEps;
    private readonly Lock _rotaryLock = new();
    private Tensor _rotaryTable;

    public LlamaNetwork(LlamaWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        Device = weights.Embedding.device;
        DType = weights.Embedding.dtype;
        _inverseFrequencies = torch.tensor(Config.InverseFrequencies(), ScalarType.Float64, Device).DetachFromDisposeScope();
        _attentionScale = (1.0 / Math.Sqrt(Config.HeadDim)).ToScalar();
        _rmsNormEps = Config.RmsNormEps.ToScalar();
        _rotaryTable = RotaryTable(Math.Min(Config.MaxPositionEmbeddings, 1024)); // grows if a decode step needs more
    }

    public LlamaWeights Weights { get; }

    public TransformerConfig Config { get; }

    public Device Device { get; }

    public ScalarType DType { get; }

    /// <summary>Token positions pushed through the network so far (prefill and decode): what prefix sharing saves.</summary>
    public long TokensProcessed { get; private set; }

    /// <summary>Forward passes run so far (one per prefill batch, one per decode step).</summary>
    public long ForwardCalls { get; private set; }

    /// <summary>
    /// Tests: <see cref="DecodeStep"/> runs libtorch ops on the CPU too (the step GPUs take), instead of
    /// <see cref="CpuDecodeStep"/>, so that the tensor step is checked where no GPU is.
    /// </summary>
    internal bool TensorStepOnly { get; set; }

    /// <summary>When set, <see cref="DecodeStep"/> charges the time of each of its phases to it (<c>tts bench profile</c>).</summary>
    internal StepProfile? Profile { get; set; }

    private int GroupSize => Config.HeadCount / Config.KeyValueHeadCount;

    /// <summary>
    /// Runs right-padded prompts <c>[prompts, longest]</c> (int64) causally. Right padding needs no mask: a causal
    /// query at a real position never sees a pad. Returns float32 logits: with <paramref name="lengths"/>, at each
    /// prompt's last token <c>[prompts, vocab]</c>; without, at every position <c>[prompts, longest, vocab]</c> (the
    /// full forward tests compare the cache against). When <paramref name="cache"/> is given its prefix receives
    /// every layer's keys and values.
    /// </summary>
    public Tensor Prefill(Tensor tokens, int[]? lengths, KvCache? cache)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (batch, length) = (tokens.shape[0], tokens.shape[1]);
        ForwardCalls++;
        TokensProcessed += lengths?.Sum() ?? batch * length;

        var x = Layers(tokens, cache);
        if (lengths is not null)
        {
            var last = torch.tensor(Array.ConvertAll(lengths, n => n - 1L), device: Device).view(batch, 1, 1).expand(batch, 1, Config.HiddenSize);
            x = x.gather(1, last).squeeze(1);
        }

        return Logits(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The causal forward over whole right-padded sequences <c>[batch, length]</c>, before the final norm:
    /// <c>[batch, length, hidden]</c>. Differentiable (no <c>no_grad</c> here): inference wraps it in
    /// <see cref="Prefill"/>, training (<c>Tts.Training</c>) calls <see cref="ForwardLogits"/> and
    /// <see cref="ForwardHidden"/> with gradients on, so the trained weights are exactly what this class runs.
    /// Intermediate tensors belong to the caller's dispose scope.
    /// </summary>
    private Tensor Layers(Tensor tokens, KvCache? cache)
    {
        var (batch, length) = (tokens.shape[0], tokens.shape[1]);
        var positions = torch.arange(length, ScalarType.Int64, Device).unsqueeze(0).expand(batch, length);
        var (cos, sin) = Rotary(positions); // [batch, length, head_dim]
        cos = cos.unsqueeze(1);
        sin = sin.unsqueeze(1);
        var x = Weights.Embedding.index_select(0, tokens.reshape(-1)).view(batch, length, Config.HiddenSize);
        var (heads, kvHeads, headDim) = (Config.HeadCount, Config.KeyValueHeadCount, Config.HeadDim);
        for (var l = 0; l < Weights.Layers.Count; l++)
        {
            var layer = Weights.Layers[l];
            var qkv = F.linear(RmsNorm(x, layer.InputNorm), layer.QueryKeyValue, layer.QueryKeyValueBias);
            var query = qkv.narrow(-1, 0, heads * headDim).view(batch, length, heads, headDim).transpose(1, 2);
            var key = qkv.narrow(-1, heads * headDim, kvHeads * headDim).view(batch, length, kvHeads, headDim).transpose(1, 2);
            var value = qkv.narrow(-1, (heads + kvHeads) * headDim, kvHeads * headDim).view(batch, length, kvHeads, headDim).transpose(1, 2);
            query = ApplyRotary(query, cos, sin);
            key = ApplyRotary(key, cos, sin);
            cache?.SetPrefix(l, key, value);

            // Grouped-query attention: each key/value head serves GroupSize consecutive query heads.
            var keys = GroupSize == 1 ? key : key.repeat_interleave(GroupSize, 1);
            var values = GroupSize == 1 ? value : value.repeat_interleave(GroupSize, 1);
            var attended = F.scaled_dot_product_attention(query, keys, values, is_casual: true);
            x = x + F.linear(attended.transpose(1, 2).reshape(batch, length, heads * headDim), layer.Output);
            x = x + Mlp(x, layer);
        }

        return x;
    }

    /// <summary>Logits at every position <c>[batch, length, vocab]</c>, with gradients when they are enabled (training).</summary>
    internal Tensor ForwardLogits(Tensor tokens) => Logits(Layers(tokens, cache: null));

    /// <summary>The final-normed hidden states <c>[batch, length, hidden]</c> (what a scalar head reads), with gradients when enabled.</summary>
    internal Tensor ForwardHidden(Tensor tokens) => RmsNorm(Layers(tokens, cache: null), Weights.FinalNorm);

    /// <summary>
    /// One token id per row: writes its keys and values into the cache's suffix at the row's suffix length and returns
    /// float32 logits <c>[rows, vocab]</c>. Rows in <paramref name="advance"/> false keep their length (ended rows:
    /// their entry is overwritten next time and never attended to).
    /// </summary>
    public Tensor DecodeStep(long[] tokens, KvCache cache, bool[] advance)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var profile = Profile;
        profile?.Mark("host: append, token ids");
        var rows = tokens.Length;
        ForwardCalls++;
        TokensProcessed += rows;

        var suffixLengths = cache.SuffixLengths;
        cache.EnsureSuffixCapacity(suffixLengths.Max() + 1);
        var positions = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            positions[r] = cache.PromptLengths[cache.PromptOfRow[r]] + suffixLengths[r];
        }

        var logits = !TensorStepOnly && CpuDecodeStep.Applies(this)
            ? CpuDecodeStep.Run(this, tokens, positions, cache, profile)
            : TensorDecodeStep(torch.tensor(tokens, device: Device), positions, cache, profile);
        for (var r = 0; r < rows; r++)
        {
            if (advance[r])
            {
                suffixLengths[r]++;
            }
        }

        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>The decode step in libtorch ops (GPUs, other dtypes). Tensors belong to the caller's dispose scope.</summary>
    private Tensor TensorDecodeStep(Tensor tokens, long[] positions, KvCache cache, StepProfile? profile)
    {
        var rows = tokens.shape[0];
        var (heads, kvHeads, headDim, group) = (Config.HeadCount, Config.KeyValueHeadCount, Config.HeadDim, GroupSize);
        var suffixLengths = cache.SuffixLengths;
        var (cos, sin) = RotaryAt(positions); // [rows, 1, 1, head_dim]
        var written = torch.tensor(Array.ConvertAll(suffixLengths, n => (long)n), device: Device);
        var writeIndex = written.view(rows, 1, 1, 1).expand(rows, kvHeads, 1, headDim);
        var span = suffixLengths.Max() + 1;
        var invisible = torch.arange(span, ScalarType.Int64, Device).unsqueeze(0).gt(written.unsqueeze(1)).view(rows, 1, 1, span);

        var x = Weights.Embedding.index_select(0, tokens);
        profile?.Mark("step setup: positions, rotary angles, mask, embedding");
        for (var l = 0; l < Weights.Layers.Count; l++)
        {
            var layer = Weights.Layers[l];
            var normed = RmsNorm(x, layer.InputNorm);
            profile?.Mark("RMS norms");
            var qkv = Project(normed, layer.QueryKeyValue, layer.QueryKeyValueBias);
            profile?.Mark("matmul: q/k/v");
            // [rows, heads + 2·kv_heads, 1, head_dim]: queries, keys and values side by side, each head a one-position
            // sequence, the layout the cache's scatter takes. One rotary over queries and keys at once.
            var heads4 = qkv.view(rows, heads + 2 * kvHeads, 1, headDim);
            var rotated = ApplyRotary(heads4.narrow(1, 0, heads + kvHeads), cos, sin);
            var query = rotated.narrow(1, 0, heads).view(rows, kvHeads, group, headDim);
            profile?.Mark("rotary");
            cache.SuffixKeys(l).scatter_(2, writeIndex, rotated.narrow(1, heads, kvHeads));
            cache.SuffixValues(l).scatter_(2, writeIndex, heads4.narrow(1, heads + kvHeads, kvHeads));
            profile?.Mark("KV write");

            var attended = Attend(query, cache, l, span, invisible); // [rows, kv_heads, group, head_dim]
            profile?.Mark("attention");
            var projected = Project(attended.reshape(rows, heads * headDim), layer.Output);
            profile?.Mark("matmul: attention output");
            x = x.add_(projected); // x is this step's own tensor (the embedding rows, then sums)
            profile?.Mark("residual adds, SiLU·up");
            x = x.add_(Mlp(x, layer, profile));
            profile?.Mark("residual adds, SiLU·up");
        }

        var final = RmsNorm(x, Weights.FinalNorm);
        profile?.Mark("RMS norms");
        var logits = Project(final, Weights.LanguageModelHead);
        profile?.Mark("matmul: LM head");
        return logits;
    }

    /// <summary>
    /// Softmax attention of one query per row over [its prompt's prefix ; its suffix], the shared prefix read once per
    /// prompt, never copied per row. With one prompt (the common case: a population forked from one prefill) the two
    /// segments' scores are joined and softmaxed once (<see cref="AttendOnePrompt"/>); with several, each prompt's
    /// rows are attended per segment and merged with the log-sum-exp rule (<see cref="AttendPerSegment"/>).
    /// </summary>
    private Tensor Attend(Tensor query, KvCache cache, int layer, long span, Tensor invisible) =>
        cache.Groups.Count == 1 ? AttendOnePrompt(query, cache, layer, span, invisible) : AttendPerSegment(query, cache, layer, span, invisible);

    /// <summary>
    /// One prompt: scores against the prompt (one matmul, the rows folded into the query axis, so the prompt's keys
    /// are read once) and against each row's suffix, joined along the key axis, one softmax, then the two weighted
    /// sums of values added. About 20 tensor handles per layer where the per-segment merge takes about 45.
    /// </summary>
    private Tensor AttendOnePrompt(Tensor query, KvCache cache, int layer, long span, Tensor invisible)
    {
        var rows = query.shape[0];
        var (kvHeads, group, headDim) = (Config.KeyValueHeadCount, GroupSize, Config.HeadDim);
        var (promptKeysT, promptValues) = cache.PromptView(layer, cache.Groups[0].Prompt); // [kv_heads, head_dim, length], [kv_heads, length, head_dim]
        var length = promptValues.shape[1];
        var scaled = query.mul(_attentionScale); // [rows, kv_heads, group, head_dim]
        var folded = scaled.permute(1, 0, 2, 3).reshape(kvHeads, rows * group, headDim);
        var promptScores = folded.matmul(promptKeysT).view(kvHeads, rows, group, length).permute(1, 0, 2, 3);
        var suffixScores = scaled.matmul(cache.SuffixKeys(layer).narrow(2, 0, span).transpose(2, 3))
            .masked_fill_(invisible, Scalars.NegativeInfinity); // [rows, kv_heads, group, span]
        var weights = torch.cat([promptScores, suffixScores], -1).softmax(-1); // [rows, kv_heads, group, length + span]
        var promptWeights = weights.narrow(-1, 0, length).permute(1, 0, 2, 3).reshape(kvHeads, rows * group, length);
        var fromPrompt = promptWeights.matmul(promptValues).view(kvHeads, rows, group, headDim).permute(1, 0, 2, 3);
        return weights.narrow(-1, length, span).matmul(cache.SuffixValues(layer).narrow(2, 0, span)).add_(fromPrompt);
    }

    /// <summary>Several prompts: each segment attended on its own, merged by log-sum-exp.</summary>
    private Tensor AttendPerSegment(Tensor query, KvCache cache, int layer, long span, Tensor invisible)
    {
        var rows = query.shape[0];
        var (kvHeads, group, headDim) = (Config.KeyValueHeadCount, GroupSize, Config.HeadDim);

        var suffixScores = query.matmul(cache.SuffixKeys(layer).narrow(2, 0, span).transpose(2, 3)).mul_(_attentionScale)
            .masked_fill_(invisible, Scalars.NegativeInfinity); // [rows, kv_heads, group, span]
        var suffixMax = suffixScores.amax([-1], keepdim: true);
        var suffixWeights = suffixScores.sub_(suffixMax).exp_();
        var suffixSum = suffixWeights.sum(-1, keepdim: true);
        var suffixOut = suffixWeights.matmul(cache.SuffixValues(layer).narrow(2, 0, span));

        var prefixMax = torch.empty([rows, kvHeads, group, 1], DType, Device);
        var prefixSum = torch.empty([rows, kvHeads, group, 1], DType, Device);
        var prefixOut = torch.empty([rows, kvHeads, group, headDim], DType, Device);
        foreach (var promptGroup in cache.Groups)
        {
            var (max, sum, output) = AttendPrefix(query.index_select(0, promptGroup.RowIndices!), cache, layer, promptGroup);
            prefixMax.index_copy_(0, promptGroup.RowIndices!, max);
            prefixSum.index_copy_(0, promptGroup.RowIndices!, sum);
            prefixOut.index_copy_(0, promptGroup.RowIndices!, output);
        }

        var max2 = torch.maximum(prefixMax, suffixMax);
        var prefixScale = prefixMax.sub_(max2).exp_();
        var suffixScale = suffixMax.sub_(max2).exp_();
        return prefixOut.mul_(prefixScale).add_(suffixOut.mul_(suffixScale))
            .div_(prefixSum.mul_(prefixScale).add_(suffixSum.mul_(suffixScale)));
    }

    /// <summary>The rows of one prompt against that prompt's keys: one matmul with the rows folded into the query axis.</summary>
    private (Tensor Max, Tensor Sum, Tensor Output) AttendPrefix(Tensor query, KvCache cache, int layer, PromptGroup promptGroup)
    {
        var rows = query.shape[0];
        var (kvHeads, group, headDim) = (Config.KeyValueHeadCount, GroupSize, Config.HeadDim);
        var (keysT, values) = cache.PromptView(layer, promptGroup.Prompt);
        var folded = query.permute(1, 0, 2, 3).reshape(kvHeads, rows * group, headDim);
        var scores = folded.matmul(keysT).mul_(_attentionScale); // [kv_heads, rows·group, length]
        var max = scores.amax([-1], keepdim: true);
        var weights = scores.sub_(max).exp_();
        var sum = weights.sum(-1, keepdim: true);
        var output = weights.matmul(values);
        Tensor Unfold(Tensor t) => t.view(kvHeads, rows, group, t.shape[2]).permute(1, 0, 2, 3);
        return (Unfold(max), Unfold(sum), Unfold(output));
    }

    private Tensor Mlp(Tensor x, LlamaLayerWeights layer, StepProfile? profile = null)
    {
        var normed = RmsNorm(x, layer.PostAttentionNorm);
        profile?.Mark("RMS norms");
        var gateUp = Project(normed, layer.GateUp);
        profile?.Mark("matmul: gate/up");
        var gate = gateUp.narrow(-1, 0, Config.IntermediateSize);
        var up = gateUp.narrow(-1, Config.IntermediateSize, Config.IntermediateSize);
        var activated = F.silu(gate).mul_(up);
        profile?.Mark("residual adds, SiLU·up");
        var down = Project(activated, layer.Down);
        profile?.Mark("matmul: down");
        return down;
    }

    /// <summary>
    /// <c>x·Wᵀ (+ bias)</c> for <paramref name="weight"/> <c>[out, in]</c>. A decode step on the CPU in float32 goes
    /// through <see cref="SmallBatchProjection"/> at 1–16 rows and <see cref="ManyRowProjection"/> at 17–64 (both read
    /// the weights once for all rows, split over the torch threads); more rows, prefill's 3-D inputs, other dtypes and
    /// GPUs use <c>linear</c>. The three sum in different orders: logits differ in float32 rounding only.
    /// </summary>
    internal static Tensor Project(Tensor x, Tensor weight, Tensor? bias = null)
    {
        Tensor projected;
        if (SmallBatchProjection.Applies(x, weight))
        {
            projected = SmallBatchProjection.Compute(x, weight, torch.get_num_threads());
        }
        else if (ManyRowProjection.Applies(x, weight))
        {
            projected = ManyRowProjection.Compute(x, weight, torch.get_num_threads());
        }
        else
        {
            return F.linear(x, weight, bias);
        }

        return bias is null ? projected : projected.add_(bias);
    }

    private Tensor RmsNorm(Tensor x, Tensor weight) =>
        x.mul(x.pow(Scalars.TwoInteger).mean([-1], keepdim: true).add_(_rmsNormEps).rsqrt_()).mul_(weight);

    private Tensor Logits(Tensor x) => F.linear(RmsNorm(x, Weights.FinalNorm), Weights.LanguageModelHead);

    /// <summary>
    /// cos and sin of position × inverse frequency, <c>[..., head_dim]</c> (the half-width angles twice), computed in
    /// float64; the sine's first half negated, so that rotate-half is one <c>roll</c> (see <see cref="ApplyRotary"/>).
    /// </summary>
    internal (Tensor Cos, Tensor SignedSin) Rotary(Tensor positions)
    {
        var half = Config.HeadDim / 2;
        var angles = positions.to(ScalarType.Float64).unsqueeze(-1).mul(_inverseFrequencies);
        var doubled = torch.cat([angles, angles], -1);
        var sin = doubled.sin().to(DType);
        return (doubled.cos().to(DType), torch.cat([sin.narrow(-1, 0, half).neg(), sin.narrow(-1, half, half)], -1));
    }

    /// <summary>
    /// cos and signed sin at each row's position, <c>[rows, 1, 1, head_dim]</c>, looked up in a table of <see cref="Rotary"/>
    /// over positions 0, 1, …: four ops a step instead of a dozen. The table is computed by the same elementwise ops as
    /// a direct call, so its rows are the values a direct call gives; made at construction for the first 1024
    /// positions (at most 1 MiB for a head of 128), it grows by doubling if a step needs more.
    /// </summary>
    internal (Tensor Cos, Tensor SignedSin) RotaryAt(long[] positions)
    {
        var highest = positions.Max();
        var positionTensor = torch.tensor(positions, device: Device);
        lock (_rotaryLock) // one network may serve several decode states on several threads
        {
            return RotaryRows(highest, positionTensor);
        }
    }

    /// <summary>
    /// The rotary table <c>[positions, 2 (cos, signed sin), 1, head_dim]</c>, grown to cover <paramref name="highest"/>: an
    /// alias in the caller's dispose scope, which keeps the storage alive if another thread grows the table meanwhile.
    /// </summary>
    internal Tensor RotaryTableCovering(long highest)
    {
        lock (_rotaryLock)
        {
            GrowRotaryTable(highest);
            return _rotaryTable.alias();
        }
    }

    private (Tensor Cos, Tensor SignedSin) RotaryRows(long highest, Tensor positions)
    {
        GrowRotaryTable(highest);
        var rows = _rotaryTable.index_select(0, positions); // [rows, 2, 1, head_dim]
        return (rows.narrow(1, 0, 1), rows.narrow(1, 1, 1));
    }

    private void GrowRotaryTable(long highest)
    {
        if (highest >= _rotaryTable.shape[0])
        {
            var length = _rotaryTable.shape[0];
            while (length <= highest)
            {
                length *= 2;
            }

            var grown = RotaryTable(length);
            _rotaryTable.Dispose();
            _rotaryTable = grown;
        }
    }

    /// <summary><see cref="Rotary"/> at positions 0 … <paramref name="length"/> − 1, <c>[length, 2 (cos, signed sin), 1, head_dim]</c>, owned by the caller.</summary>
    private Tensor RotaryTable(long length)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (cos, signedSin) = Rotary(torch.arange(length, ScalarType.Int64, Device));
        return torch.stack([cos, signedSin], 1).unsqueeze(2).DetachFromDisposeScope();
    }

    /// <summary>
    /// x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁], computed as x·cos + [x₂, x₁]·[−sin₁, sin₂]:
    /// (−a)·b and a·(−b) round to the same float, so this is bit-identical to the textbook form in four ops instead of seven.
    /// </summary>
    private Tensor ApplyRotary(Tensor x, Tensor cos, Tensor signedSin) =>
        x.mul(cos).add_(x.roll(Config.HeadDim / 2, -1).mul_(signedSin));

    public void Dispose()
    {
        _inverseFrequencies.Dispose();
        _rotaryTable.Dispose();
        _attentionScale.Dispose();
        _rmsNormEps.Dispose();
        Weights.Dispose();
    }
}
