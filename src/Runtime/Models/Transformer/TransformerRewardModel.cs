using System.Text.Json.Nodes;
using TorchSharp;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Tokenizers;
using static TorchSharp.torch;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// A learned scorer of (partial) texts: a Llama-family decoder with a scalar head on the final-normed hidden state of
/// the last token, squashed by a sigmoid to a score in (0, 1). The directory has Hugging Face's
/// <c>LlamaForSequenceClassification</c> layout with one label: <c>config.json</c> (<c>num_labels: 1</c>),
/// <c>tokenizer.json</c> and <c>model.safetensors</c> with the decoder's tensors plus <c>score.weight</c>
/// <c>[1, hidden]</c>. Texts are scored in batches through the same <see cref="LlamaNetwork"/> the policy runs on.
/// </summary>
public sealed class TransformerRewardModel : Rewards.ITextScorer
{
    public const string ScoreHeadName = "score.weight";
    public const string Architecture = "LlamaForSequenceClassification";

    /// <summary>Texts per forward pass: bounds the activations of one batch.</summary>
    private const int TextsPerBatch = 256;

    private readonly HuggingFaceTokenizer _tokenizer;

    private TransformerRewardModel(LlamaWeights weights, Tensor head, HuggingFaceTokenizer tokenizer, string sourceName)
    {
        Network = new LlamaNetwork(weights);
        Head = head;
        _tokenizer = tokenizer;
        SourceName = sourceName;
    }

    public TransformerConfig Config => Network.Config;

    public string SourceName { get; }

    /// <summary>Texts scored so far.</summary>
    public long TextsScored { get; private set; }

    internal LlamaNetwork Network { get; }

    /// <summary>[1, hidden].</summary>
    internal Tensor Head { get; }

    public static TransformerRewardModel Load(string directory, TransformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new TransformerOptions();
        if (!Directory.Exists(directory))
        {
            throw new ModelException($"{directory}: reward model directory not found");
        }

        var configPath = Path.Combine(directory, TransformerModel.ConfigFileName);
        var tokenizerPath = Path.Combine(directory, TransformerModel.TokenizerFileName);
        foreach (var path in new[] { configPath, tokenizerPath })
        {
            if (!File.Exists(path))
            {
                throw new ModelException($"{directory}: no {Path.GetFileName(path)} in the reward model directory");
            }
        }

        var config = TransformerConfig.Load(configPath);
        var checkpoint = Checkpoint.Open(directory);
        if (!checkpoint.Contains(ScoreHeadName))
        {
            throw new ModelException($"{directory}: no tensor '{ScoreHeadName}': not a reward model (a scalar head, as {Architecture} with num_labels 1 saves)");
        }

        var tokenizer = HuggingFaceTokenizer.Load(tokenizerPath);
        var device = options.ResolveDevice();
        var weights = LlamaWeights.Load(config, checkpoint, ScalarType.Float32, device, configPath);
        try
        {
            var head = checkpoint.Load(ScoreHeadName, [1, config.HiddenSize], ScalarType.Float32, device, $"from {configPath}").DetachFromDisposeScope();
            return new TransformerRewardModel(weights, head, tokenizer, directory);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>A reward model over weights and a head built elsewhere (training); it owns and disposes them.</summary>
    internal static TransformerRewardModel FromWeights(LlamaWeights weights, Tensor head, string tokenizerJson, string sourceName) =>
        new(weights, head, HuggingFaceTokenizer.Parse(tokenizerJson, TransformerModel.TokenizerFileName), sourceName);

    /// <summary>One score in (0, 1) per text: sigmoid of the head on the last token's hidden state. An empty text is scored on EOS.</summary>
    public double[] Score(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var scores = new double[texts.Count];
        for (var start = 0; start < texts.Count; start += TextsPerBatch)
        {
            var count = Math.Min(TextsPerBatch, texts.Count - start);
            var encoded = Enumerable.Range(start, count).Select(i => Encode(texts[i])).ToList();
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var (tokens, lengths) = Pad(encoded, Network.Device);
            var logits = ScoreLogits(tokens, lengths);
            var values = logits.sigmoid().to(ScalarType.Float64).cpu().data<double>().ToArray();
            Array.Copy(values, 0, scores, start, count);
        }

        TextsScored += texts.Count;
        return scores;
    }

    /// <summary>The decoder's weights under their Hugging Face names (the tied head not listed), then the scalar head as <see cref="ScoreHeadName"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedWeights() =>
        Network.Weights.NamedTensors().Append(new KeyValuePair<string, Tensor>(ScoreHeadName, Head)).ToList();

    /// <summary>Token ids of a text (EOS for the empty text: the network needs one token).</summary>
    public int[] Encode(string text)
    {
        var ids = _tokenizer.Encode(text);
        return ids.Length > 0 ? ids : [Config.EosTokenId ?? 0];
    }

    /// <summary>Head logits at every position <c>[batch, length]</c> of right-padded sequences, with gradients when enabled (training).</summary>
    internal Tensor PositionLogits(Tensor tokens) =>
        torch.nn.functional.linear(Network.ForwardHidden(tokens), Head).squeeze(-1);

    /// <summary>Head logits at each sequence's last token <c>[batch]</c>.</summary>
    internal Tensor ScoreLogits(Tensor tokens, int[] lengths)
    {
        var last = torch.tensor(Array.ConvertAll(lengths, n => n - 1L), device: Network.Device).unsqueeze(1);
        return PositionLogits(tokens).gather(1, last).squeeze(1);
    }

    /// <summary>Right-pads token sequences with 0 into <c>[count, longest]</c> int64 (a causal model never reads past a real token).</summary>
    internal static (Tensor Tokens, int[] Lengths) Pad(IReadOnlyList<int[]> sequences, Device device)
    {
        var longest = sequences.Max(s => s.Length);
        var flat = new long[sequences.Count * longest];
        for (var i = 0; i < sequences.Count; i++)
        {
            for (var j = 0; j < sequences[i].Length; j++)
            {
                flat[i * longest + j] = sequences[i][j];
            }
        }

        return (torch.tensor(flat, [sequences.Count, longest], device: device), sequences.Select(s => s.Length).ToArray());
    }

    /// <summary>Writes the directory <see cref="Load"/> reads (float32 weights).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var config = JsonNode.Parse(Config.ToJson())!.AsObject();
        config["architectures"] = new JsonArray(Architecture);
        config["num_labels"] = 1;
        File.WriteAllText(Path.Combine(directory, TransformerModel.ConfigFileName), config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(directory, TransformerModel.TokenizerFileName), _tokenizer.Json);
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(Path.Combine(directory, Checkpoint.SingleFileName), NamedWeights(), SafetensorsDType.F32);
    }

    public void Dispose()
    {
        Head.Dispose();
        Network.Dispose();
    }
}
