using System.Collections;
using System.Reflection;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;

namespace Tts.Language.Tests.Formatting;

/// <summary>
/// Structural equality of ASTs that ignores spans. Records compare ImmutableArray fields by reference, so
/// this walks the node properties instead; a new node kind needs no change here.
/// </summary>
internal static class SyntaxEquivalence
{
    /// <summary>Null when equal; else the path to the first difference and both values there.</summary>
    public static string? FindDifference(object? expected, object? actual, string path = "root")
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : Mismatch(path, expected, actual);
        }

        if (expected.GetType() != actual.GetType())
        {
            return Mismatch(path, expected.GetType().Name, actual.GetType().Name);
        }

        switch (expected)
        {
            case TextSpan:
                return null;
            case string:
                return Equals(expected, actual) ? null : Mismatch(path, expected, actual);
            case IEnumerable expectedItems:
                var left = expectedItems.Cast<object?>().ToList();
                var right = ((IEnumerable)actual).Cast<object?>().ToList();
                if (left.Count != right.Count)
                {
                    return Mismatch(path + ".Count", left.Count, right.Count);
                }

                return left.Select((item, i) => FindDifference(item, right[i], $"{path}[{i}]")).FirstOrDefault(d => d is not null);
            case ValueType:
                return Equals(expected, actual) ? null : Mismatch(path, expected, actual);
            case SyntaxNode:
                return NodeProperties(expected.GetType())
                    .Select(p => FindDifference(p.GetValue(expected), p.GetValue(actual), $"{path}.{p.Name}"))
                    .FirstOrDefault(d => d is not null);
            default:
                throw new InvalidOperationException($"cannot compare {expected.GetType().Name} at {path}");
        }
    }

    public static void AssertEquivalent(SyntaxNode expected, SyntaxNode actual, string because)
    {
        var difference = FindDifference(expected, actual);
        Assert.True(difference is null, $"{because}: the ASTs differ at {difference}");
    }

    /// <summary>Every node under <paramref name="node"/>, itself included, depth first.</summary>
    public static IEnumerable<SyntaxNode> DescendantsAndSelf(SyntaxNode node)
    {
        yield return node;
        foreach (var value in NodeProperties(node.GetType()).Select(p => p.GetValue(node)))
        {
            var children = value switch
            {
                SyntaxNode child => new[] { child },
                IEnumerable items and not string => items.OfType<SyntaxNode>(),
                _ => Enumerable.Empty<SyntaxNode>(),
            };
            foreach (var descendant in children.SelectMany(DescendantsAndSelf))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The record's own data: computed conveniences (IsMissing) and the compiler's EqualityContract have no setter.</summary>
    private static IEnumerable<PropertyInfo> NodeProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0 && p.Name != nameof(SyntaxNode.Span));

    private static string Mismatch(string path, object? expected, object? actual) =>
        $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}";
}
