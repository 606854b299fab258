using Tts.Runtime.Models;

namespace Tts.Runtime.Execution;

/// <summary>The models a run uses, by the names the .tts file declares.</summary>
public sealed class ModelBindings
{
    private readonly Dictionary<string, ILanguageModel> _models = new(StringComparer.Ordinal);

    public ModelBindings Bind(string name, ILanguageModel model)
    {
        _models[name] = model;
        return this;
    }

    public bool IsBound(string name) => _models.ContainsKey(name);

    public ILanguageModel Resolve(string name) =>
        _models.TryGetValue(name, out var model)
            ? model
            : throw new RuntimeException(
                $"model '{name}' is not bound" + (_models.Count == 0 ? " (no model is)" : $" (bound: {string.Join(", ", _models.Keys)})"));
}
