using Tts.Semantics;

namespace Tts.Language.Binding.BoundTree;

/// <summary>A search method in words, as diagnostics and guarantee reasons name it.</summary>
internal static class SearchMethodNames
{
    public static string Of(SearchMethod method) => method switch
    {
        SearchMethod.Beam => "beam search",
        SearchMethod.DiverseBeam => "diverse tree search",
        SearchMethod.Mcts => "Monte Carlo tree search",
        SearchMethod.Puct => "Monte Carlo tree search with a policy prior",
        _ => "best-first search",
    };
}
