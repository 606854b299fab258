using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using Tts.Language.Syntax.Nodes;

namespace Tts.Language.Syntax;

/// <summary>Enumerates a node and all nodes below it, in source order.</summary>
public static class SyntaxWalker
{
    // Reflection once per node type: the walker runs over every strategy body on every bind.
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> ChildProperties = new();

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

    private static PropertyInfo[] FindChildProperties(Type type) =>
        type.GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract" && p.PropertyType != typeof(string)
                        && (typeof(SyntaxNode).IsAssignableFrom(p.PropertyType) || typeof(IEnumerable).IsAssignableFrom(p.PropertyType)))
            .ToArray();

    /// <summary>The direct children: every property holding a node or an array of nodes.</summary>
    public static IEnumerable<SyntaxNode> Children(SyntaxNode node)
    {
        foreach (var property in ChildProperties.GetOrAdd(node.GetType(), FindChildProperties))
        {
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
