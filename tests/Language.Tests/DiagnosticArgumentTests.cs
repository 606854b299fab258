using System.Reflection;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Tts.Language.Diagnostics;
using Tts.TestSupport;

namespace Tts.Language.Tests;

/// <summary>
/// Every place in src/ that reports a diagnostic passes exactly as many message arguments as its descriptor's format
/// has placeholders: one too few throws FormatException inside the binder (a crash on a user's program, as after a
/// merge in issue 17), one too many drops what the caller meant to say. The check reads the sources as C# syntax
/// trees: each <c>Report(...)</c> or <c>Diagnostic.Create(...)</c> whose first argument names
/// <c>DiagnosticDescriptors.X</c> (either branch of a conditional counts) passes (descriptor, location, arguments...).
/// </summary>
public sealed class DiagnosticArgumentTests
{
    /// <summary>
    /// Report calls whose descriptor is a value, not a field of <see cref="DiagnosticDescriptors"/>, and the descriptors
    /// that value can be (read from where it is made). Forwarders that pass their own <c>params</c> array on are skipped.
    /// </summary>
    private static readonly Dictionary<string, string[]> DescriptorValues = new(StringComparer.Ordinal)
    {
        ["violation.Descriptor"] = [nameof(DiagnosticDescriptors.EffectOutsideBlock), nameof(DiagnosticDescriptors.StatementNotAllowed)],
    };

    [Fact]
    public void Every_report_passes_as_many_arguments_as_its_format_has_placeholders()
    {
        var calls = ReportCalls(RepoPaths.Combine("src")).ToList();
        Assert.True(calls.Count >= 80, $"only {calls.Count} report calls found under src/: the scan no longer sees them");

        var wrong = calls
            .SelectMany(c => c.Descriptors.Select(d => (Call: c, Descriptor: d, Expected: Placeholders(Format(d)))))
            .Where(c => c.Expected != c.Call.Arguments)
            .Select(c => $"{c.Call.Where}: {c.Descriptor} has {c.Expected} placeholder(s) but the call passes {c.Call.Arguments} argument(s)")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [InlineData("no placeholder", 0)]
    [InlineData("'{0}' is already declared at line {1}", 2)]
    [InlineData("{0} must be {1}, but this is {2}{3}", 4)]
    [InlineData("{1} only", 2)]
    [InlineData("{0:F2} and {0,5}", 1)]
    [InlineData("`{{ }}` and {{0}} are braces, {0} is not", 1)]
    public void Placeholders_are_counted_as_string_format_reads_them(string format, int count) =>
        Assert.Equal(count, Placeholders(format));

    [Fact]
    public void A_call_with_one_argument_too_few_is_caught()
    {
        var calls = Scan("""
            class C {
                void M(DiagnosticBag bag, Location at) {
                    bag.Report(DiagnosticDescriptors.DuplicateDeclaration, at, "x");
                    bag.Report(flag ? DiagnosticDescriptors.UnusedLocal : DiagnosticDescriptors.UnusedPopulation, at, "x");
                }
            }
            """, "C.cs").ToList();

        Assert.Equal([1, 1], calls.Select(c => c.Arguments));
        Assert.Equal(2, Placeholders(Format(calls[0].Descriptors.Single())));
        Assert.Equal(["UnusedLocal", "UnusedPopulation"], calls[1].Descriptors);
    }

    private sealed record ReportCall(string Where, IReadOnlyList<string> Descriptors, int Arguments);

    /// <summary>Report calls under <paramref name="root"/>, but not the source generator's (Roslyn's descriptors, not these).</summary>
    private static IEnumerable<ReportCall> ReportCalls(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("SourceGenerators", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Scan(File.ReadAllText(f), Path.GetRelativePath(root, f)));

    private static IEnumerable<ReportCall> Scan(string source, string path)
    {
        var tree = CSharpSyntaxTree.ParseText(source);
        foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            var name = call.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Name.Identifier.Text,
                IdentifierNameSyntax identifier => identifier.Identifier.Text,
                _ => null,
            };
            var isCreate = name == "Create" && call.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Diagnostic" } };
            if ((name != "Report" && !isCreate) || call.ArgumentList.Arguments.Count < 2)
            {
                continue;
            }

            var first = call.ArgumentList.Arguments[0].Expression;
            var descriptors = first.DescendantNodesAndSelf().OfType<MemberAccessExpressionSyntax>()
                .Where(m => m.Expression is IdentifierNameSyntax { Identifier.Text: nameof(DiagnosticDescriptors) })
                .Select(m => m.Name.Identifier.Text)
                .ToList();
            if (descriptors.Count == 0 && DescriptorValues.TryGetValue(first.ToString(), out var values))
            {
                descriptors = [.. values];
            }

            var rest = call.ArgumentList.Arguments.Skip(2).ToList();
            var forwarded = rest is [{ Expression: IdentifierNameSyntax { Identifier.Text: "arguments" } }];
            if (descriptors.Count == 0)
            {
                // A Report that takes no descriptor (IProgress<T>.Report) or a forwarder; anything else must be listed above.
                Assert.True(forwarded || !first.ToString().Contains("escriptor", StringComparison.Ordinal),
                    $"{path}({call.GetLocation().GetLineSpan().StartLinePosition.Line + 1}): a report whose descriptor `{first}` this test cannot resolve: add it to DescriptorValues");
                continue;
            }

            var line = call.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            yield return new ReportCall($"{path}({line})", descriptors, rest.Count);
        }
    }

    private static string Format(string descriptor) =>
        (typeof(DiagnosticDescriptors).GetField(descriptor, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as DiagnosticDescriptor
         ?? throw new InvalidOperationException($"no descriptor DiagnosticDescriptors.{descriptor}")).MessageFormat;

    /// <summary>The arguments <see cref="string.Format(string, object?[])"/> reads: one more than the largest index in a placeholder.</summary>
    private static int Placeholders(string format)
    {
        var count = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '{')
            {
                continue;
            }

            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                i++; // an escaped brace
                continue;
            }

            var end = i + 1;
            while (end < format.Length && char.IsAsciiDigit(format[end]))
            {
                end++;
            }

            count = Math.Max(count, int.Parse(format.AsSpan(i + 1, end - i - 1), System.Globalization.CultureInfo.InvariantCulture) + 1);
            i = end;
        }

        return count;
    }
}
