using Tts.Runtime.Models;
using Tts.Runtime.Models.Tabular;

namespace Tts.Cli.Commands;

/// <summary>A <c>--model NAME=KIND:PATH</c> binding, e.g. <c>policy=tabular:examples/models/abc.json</c>.</summary>
internal sealed record ModelSpec(string Name, string Kind, string Path)
{
    public static ModelSpec Parse(string text)
    {
        var equals = text.IndexOf('=');
        var colon = equals < 0 ? -1 : text.IndexOf(':', equals + 1);
        if (equals <= 0 || colon < 0 || colon == text.Length - 1)
        {
            throw new CliException($"bad --model '{text}': write NAME=tabular:PATH, e.g. policy=tabular:examples/models/abc.json");
        }

        return new ModelSpec(text.Substring(0, equals), text.Substring(equals + 1, colon - equals - 1), text.Substring(colon + 1));
    }

    public ILanguageModel Load() => Kind switch
    {
        "tabular" => File.Exists(Path)
            ? TabularModel.Load(Path)
            : throw new CliException($"model '{Name}': file not found: {Path}"),
        _ => throw new CliException($"model '{Name}': unknown model kind '{Kind}': use tabular:PATH"),
    };
}
