using System.Text;

namespace Tts.SourceGenerators;

/// <summary>Turns .tts file, strategy and parameter names into C# identifiers.</summary>
internal static class Naming
{
    /// <summary>"best_of_n" → "BestOfN", "top-k.v2" → "TopKV2"; a leading digit gets an underscore; never empty.</summary>
    public static string ToPascalIdentifier(string name, string fallback)
    {
        var builder = new StringBuilder();
        var startOfWord = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }

            builder.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }

        if (builder.Length == 0)
        {
            return fallback;
        }

        if (char.IsDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    /// <summary>The class a .tts file becomes: its file name (without directories or extension) + "Strategies".</summary>
    public static string FileClassName(string path)
    {
        var fileName = path;
        var slash = Math.Max(fileName.LastIndexOf('/'), fileName.LastIndexOf('\\'));
        if (slash >= 0)
        {
            fileName = fileName.Substring(slash + 1);
        }

        var dot = fileName.LastIndexOf('.');
        if (dot > 0)
        {
            fileName = fileName.Substring(0, dot);
        }

        return ToPascalIdentifier(fileName, "Tts") + "Strategies";
    }

    /// <summary>"best_of_n" → "bestOfN", a C# keyword escaped ("int" → "@int"): a parameter or local name.</summary>
    public static string ToCamelIdentifier(string name, string fallback)
    {
        var pascal = ToPascalIdentifier(name, fallback);
        var camel = char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(camel) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + camel : camel;
    }
}
