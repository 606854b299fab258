using System.Collections.Immutable;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax.Nodes;
using Tts.Language.Text;

namespace Tts.Language.Binding;

/// <summary>Matching a call's arguments to what it accepts, and suggesting the name that was meant.</summary>
public sealed partial class Binder
{
    private Dictionary<string, ExpressionSyntax> MatchArguments(ArgumentSignature signature, ImmutableArray<ArgumentSyntax> arguments, TextSpan callSpan)
    {
        var matched = new Dictionary<string, ExpressionSyntax>(StringComparer.Ordinal);
        var position = 0;
        var sawNamed = false;
        var reportedTooMany = false;
        foreach (var argument in arguments)
        {
            string name;
            if (argument.Name is null)
            {
                if (sawNamed)
                {
                    Report(DiagnosticDescriptors.PositionalAfterNamed, argument.Span);
                    continue;
                }

                if (position >= signature.Positional && reportedTooMany)
                {
                    continue;
                }

                if (position >= signature.Positional)
                {
                    reportedTooMany = true;
                    var named = signature.Parameters.Skip(signature.Positional).Select(p => p + ":").ToList();
                    var takes = named.Count == 0
                        ? Plural(signature.Positional, "argument")
                        : $"{Plural(signature.Positional, "positional argument")} (name the others: {string.Join(", ", named)})";
                    Report(DiagnosticDescriptors.WrongArgumentCount, argument.Span, signature.Name, takes, $"{position + 1} were");
                    continue;
                }

                name = signature.Parameters[position++];
            }
            else
            {
                sawNamed = true;
                name = argument.Name.Name;
                if (argument.Name.IsMissing)
                {
                    continue;
                }

                if (!signature.Parameters.Contains(name))
                {
                    Report(DiagnosticDescriptors.UnknownNamedArgument, argument.Name.Span, signature.Name, name,
                        Suggest(name, signature.Parameters, $": it takes {string.Join(", ", signature.Parameters)}"));
                    continue;
                }
            }

            if (matched.ContainsKey(name))
            {
                Report(DiagnosticDescriptors.DuplicateArgument, argument.Span, name);
                continue;
            }

            matched.Add(name, argument.Value);
        }

        foreach (var required in signature.Required.Where(r => !matched.ContainsKey(r) && !HasSyntaxErrorOnLineOf(callSpan)))
        {
            var index = signature.Parameters.ToList().IndexOf(required);
            var how = index < signature.Positional ? $"its {Ordinal(index + 1)} argument ({required})" : $"the argument `{required}:`";
            Report(DiagnosticDescriptors.MissingArgument, callSpan, signature.Name, how);
        }

        return matched;
    }

    /// <summary>
    /// ": did you mean 'x'?" for the closest candidate within edit distance 2, else the fallback. A candidate the name
    /// starts with (a misspelt tail, `lenght` for `len`) beats an equally distant or closer unrelated one.
    /// </summary>
    private static string Suggest(string name, IEnumerable<string> candidates, string fallback = "")
    {
        var distinct = candidates.Distinct().ToList();
        var prefix = distinct
            .Where(c => c.Length >= 3 && name.Length > c.Length && name.StartsWith(c, StringComparison.Ordinal) && name.Length - c.Length <= 3)
            .OrderByDescending(c => c.Length)
            .FirstOrDefault();
        var best = distinct
            .Select(c => (Candidate: c, Distance: EditDistance.Between(name, c)))
            .Where(c => c.Distance <= Math.Min(2, Math.Max(1, name.Length / 2)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        var chosen = best.Distance == 1 ? best.Candidate : prefix ?? best.Candidate;
        return chosen is null ? fallback : $": did you mean '{chosen}'?";
    }
}
