using Tts.Engines.Remote;
using Tts.Engines.Gguf.Engine;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Models.Transformer;

namespace Tts.Cli.Binding;

/// <summary>
/// A <c>--model NAME=KIND:PATH</c> binding: <c>policy=tabular:examples/models/abc.json</c> (a tabular JSON file) or
/// <c>policy=transformer:DIR</c> (a Hugging Face model directory: config.json, model.safetensors, tokenizer.json) or
/// <c>policy=gguf:FILE[?threads=N&amp;exact_attention=1&amp;...]</c> (a GGUF file run in process by llama.cpp with the
/// options of <see cref="GgufSpec"/>; `tts export gguf` writes one from a model directory).
/// <c>policy=openai:URL?tokenizer=PATH[#served-model]</c> (an OpenAI-compatible completions server, <see cref="RemoteEndpoint"/>;
/// the API key comes from TTS_OPENAI_API_KEY).
/// The same NAME=KIND:PATH shape binds rewards to reward models (<see cref="FunctionSpec"/>).
/// </summary>
internal sealed record ModelSpec(string Name, string Kind, string Path)
{
    public const string Syntax = "NAME=tabular:PATH, NAME=transformer:DIR, NAME=gguf:FILE[?threads=N&sequences=N&exact_attention=1...] or NAME=openai:URL?tokenizer=PATH[#served-model]";

    private const string Usage = "write " + Syntax + ", e.g. policy=tabular:examples/models/abc.json";

    public static ModelSpec Parse(string text)
    {
        var equals = text.IndexOf('=');
        var colon = equals < 0 ? -1 : text.IndexOf(':', equals + 1);
        if (equals <= 0 || colon < 0 || colon == text.Length - 1)
        {
            throw new CliException($"bad --model '{text}': {Usage}");
        }

        return new ModelSpec(text.Substring(0, equals), text.Substring(equals + 1, colon - equals - 1), text.Substring(colon + 1));
    }

    /// <param name="memoryLimit">The --memory-limit, which also bounds a transformer's KV cache.</param>
    public ILanguageModel Load(DevicePreference device, long? memoryLimit = null) => Kind switch
    {
        "tabular" => File.Exists(Path)
            ? TabularModel.Load(Path)
            : throw new CliException($"model '{Name}': file not found: {Path}"),
        "transformer" => Directory.Exists(Path)
            ? TransformerModel.Load(Path, memoryLimit is { } limit ? new TransformerOptions { Device = device, MaxKvCacheBytes = limit } : new TransformerOptions { Device = device })
            : throw new CliException($"model '{Name}': directory not found: {Path}"),
        "gguf" => OpenGguf(),
        "openai" => OpenRemote(),
        _ => throw new CliException($"model '{Name}': unknown model kind '{Kind}': use tabular:PATH, transformer:DIR, gguf:FILE[?OPTIONS] or openai:URL?tokenizer=PATH"),
    };

    private GgufModel OpenGguf()
    {
        GgufSpec spec;
        try
        {
            spec = GgufSpec.Parse(Path);
        }
        catch (ModelException exception)
        {
            throw new CliException($"model '{Name}': {exception.Message}");
        }

        return File.Exists(spec.Path)
            ? GgufModel.Load(spec.Path, spec.Options)
            : throw new CliException($"model '{Name}': file not found: {spec.Path}");
    }

    private RemoteLanguageModel OpenRemote()
    {
        try
        {
            return RemoteLanguageModel.Open(Path);
        }
        catch (RemoteException exception)
        {
            throw new CliException($"model '{Name}': {exception.Message}");
        }
    }
}
