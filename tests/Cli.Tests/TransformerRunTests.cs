using System.Text.Json;
using Tts.Runtime.Models.Checkpoints;
using Tts.Runtime.Models.Tokenizers;
using Tts.Runtime.Models.Transformer;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary><c>tts run --model policy=transformer:DIR</c> on a tiny random Llama-style model saved to a temp directory.</summary>
public sealed class TransformerRunTests : IDisposable
{
    private static readonly string Sampling = RepoPaths.Combine("examples", "strategies", "sampling.tts");
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-transformer-run-").FullName;

    public TransformerRunTests()
    {
        var config = new TransformerConfig
        {
            VocabSize = 12, HiddenSize = 32, IntermediateSize = 48, LayerCount = 2, HeadCount = 4, KeyValueHeadCount = 2, HeadDim = 8,
            MaxPositionEmbeddings = 128, EosTokenId = 0,
        };
        using var model = TransformerModel.CreateRandom(
            config, HuggingFaceTokenizer.CharacterLevelJson(["<eos>"], "abcdé \n"), seed: 4, new TransformerOptions { Device = DevicePreference.Cpu });
        model.Save(_folder, SafetensorsDType.BF16);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<JsonElement> Runs(int samples)
    {
        var result = CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", "ab", "--seed", "5",
            "--samples", samples.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "jsonl", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.Error);
        return result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public void Sampling_runs_on_a_transformer_directory_and_run_0_is_the_same_alone_or_among_10()
    {
        var alone = Runs(1).Single();
        var batched = Runs(10);
        Assert.Equal(10, batched.Count);
        Assert.Equal(alone.GetProperty("output").GetString(), batched[0].GetProperty("output").GetString());
        Assert.Equal(alone.GetProperty("spent").GetRawText(), batched[0].GetProperty("spent").GetRawText());
        Assert.All(batched, run => Assert.All(run.GetProperty("output").GetString()!, c => Assert.Contains(c, "abcdé \n")));
    }

    [Fact]
    public void A_missing_or_broken_transformer_directory_is_a_one_line_error()
    {
        var nowhere = Path.Combine(_folder, "nowhere");
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{nowhere}"), $"model 'policy': directory not found: {nowhere}");

        File.Delete(Path.Combine(_folder, Checkpoint.SingleFileName));
        CliRunner.AssertOneLineError(CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}"), "no model.safetensors or model.safetensors.index.json");
    }

    [Fact]
    public void A_prompt_the_tokenizer_cannot_encode_is_a_one_line_error()
    {
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", "xyz", "--device", "cpu"),
            "cannot tokenize \"xyz\"");
    }

    /// <summary>
    /// A shell passes <c>'ab\n'</c> as a backslash and an n: the prompt takes the escapes of a string literal, and a
    /// character the vocabulary lacks is shown as typed, with the characters the model reads.
    /// </summary>
    [Fact]
    public void A_prompt_takes_string_escapes_and_a_character_outside_the_vocabulary_is_named_with_the_vocabulary()
    {
        var escaped = CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", @"ab\n", "--device", "cpu");
        Assert.True(escaped.ExitCode == 0, escaped.Error);

        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", @"a+b\n", "--device", "cpu"),
            "cannot tokenize \"a+b\\n\": \"+\" is not in the vocabulary; the model reads only \"a\" \"b\" \"c\" \"d\" \"é\" \" \" \"\\n\"");
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", @"ab\d", "--device", "cpu"),
            "parameter 'prompt': \\d at character 3 is not an escape: write \\\\ for a backslash");
    }

    /// <summary>A NaN weight made every logit NaN: each run ended at once and `tts run` exited 0 with empty outputs.</summary>
    [Fact]
    public void A_checkpoint_with_a_nan_weight_is_a_one_line_error_naming_the_tensor()
    {
        var path = Path.Combine(_folder, Checkpoint.SingleFileName);
        using (var model = TransformerModel.Load(_folder, new TransformerOptions { Device = DevicePreference.Cpu }))
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var weights = model.NamedWeights().Select(w => w.Key == "model.norm.weight" ? new(w.Key, w.Value.clone().fill_(float.NaN)) : w);
            SafetensorsWriter.Write(path, weights, SafetensorsDType.BF16);
        }

        var result = CliRunner.Run("run", Sampling, "--model", $"policy=transformer:{_folder}", "--prompt", "ab", "--device", "cpu");

        Assert.Equal(3, result.ExitCode);
        CliRunner.AssertOneLineError(result, "tensor 'model.norm.weight' has 32 NaN or infinite values");
    }
}
