using Tts.Runtime.Models;
using Tts.Semantics;

namespace Tts.Engines.Remote.Tests;

/// <summary>A model that declares fewer capabilities than it has: what a server-sampling backend would declare.</summary>
internal sealed class LimitedModel(ILanguageModel inner, ModelCapabilities capabilities) : ILanguageModel
{
    public Vocabulary Vocabulary => inner.Vocabulary;

    public ModelCapabilities Capabilities => capabilities;

    public int[] Encode(string text) => inner.Encode(text);

    public IDecodeState Start(IReadOnlyList<int[]> prompts, IReadOnlyList<int> promptOfRow) => inner.Start(prompts, promptOfRow);

    public void Dispose() => inner.Dispose();
}
