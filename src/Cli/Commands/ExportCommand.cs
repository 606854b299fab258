using System.CommandLine;
using System.Globalization;
using Tts.Engines.Gguf.Export;
using Tts.Engines.Gguf.Format;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts export gguf MODEL_DIR OUT.gguf [--type f32|f16|q8_0]</c>: a Llama-family Hugging Face checkpoint as a GGUF
/// file that llama.cpp (and <c>--model NAME=gguf:FILE</c>) runs.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("export", "Export a model to another format");
        command.Subcommands.Add(Gguf(output));
        return command;
    }

    private static Command Gguf(TextWriter output)
    {
        var directory = new Argument<string>("model-dir") { Description = "A Hugging Face model directory (config.json, model.safetensors, tokenizer.json)" };
        var outPath = new Argument<string>("out") { Description = "The GGUF file to write" };
        var type = new Option<string>("--type")
        {
            Description = "Weight type: f32, f16 or q8_0 (norm weights stay f32; q8_0 rows not a multiple of 32 become f16)",
            DefaultValueFactory = _ => "f32",
        };
        type.AcceptOnlyFromAmong("f32", "f16", "q8_0");
        var command = new Command("gguf", "Export a Llama-family checkpoint to GGUF for llama.cpp") { directory, outPath, type };
        command.SetAction(result =>
        {
            var modelDirectory = result.GetValue(directory)!;
            if (!Directory.Exists(modelDirectory))
            {
                throw new CliException($"export gguf: model directory not found: {modelDirectory}");
            }

            var summary = LlamaGgufExporter.Export(modelDirectory, result.GetValue(outPath)!, GgufTensorTypes.Parse(result.GetValue(type)!));
            var wider = summary.KeptWider.Count == 0 ? "" : $" ({summary.KeptWider.Count} norm or odd-width tensors kept wider)";
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"wrote {summary.Path}: {summary.Tensors} tensors, {summary.Bytes / 1e6:F2} MB of weights as {summary.Type.Name()}{wider}"));
            return TtsCommandLine.Success;
        });
        return command;
    }
}
