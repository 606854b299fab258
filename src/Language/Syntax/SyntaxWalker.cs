using System.Collections;
using Tts.Language.Syntax.Nodes;

namespace Tts.Language.Syntax;

/// <summary>Enumerates a node and all nodes below it, in source order.</summary>
public static class SyntaxWalker
{
    public static IEnumerable<SyntaxNode> Descendants(SyntaxNode node)
    {
        yield return node;
        foreach (var child in Children(node))
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The direct children: every property holding a node or an array of nodes.</summary>
    public static IEnumerable<SyntaxNode> Children(SyntaxNode node)
    {
        foreach (var property in node.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
            {
                continue;
            }

            switch (property.GetValue(node))
            {
                case SyntaxNode child:
                    yield return child;
                    break;
                case IEnumerable items and not string:
                    foreach (var item in items)
                    {
                        if (item is SyntaxNode element)
                        {
                            yield return element;
                        }
                    }

                    break;
            }
        }
    }
}
