using System.Text;
using System.Text.RegularExpressions;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>
/// The shell commands of README.md and docs/*.md that a test runs: a code fence whose info string has the word
/// <c>runnable</c> after the language. <c>```sh runnable</c>: each command (a line, <c>\</c> continues it) must exit 0, or N when it ends
/// in <c># exits N</c>.
/// <c>```console runnable</c>: a transcript; lines starting with <c>$ </c> are commands and the lines under each are its
/// output (stdout and stderr together), which must match line for line, except that a line <c>...</c> stands for any
/// number of lines and durations (<c>3.05 s</c>) are not compared. Commands start with <c>tts</c> or
/// <c>dotnet run --project src/Cli --</c> and run in the repository root.
/// </summary>
public sealed record DocumentedCommand(string File, int Line, string Command, IReadOnlyList<string>? ExpectedOutput, int ExitCode = 0)
{
    private static readonly Regex Fence = new(@"^```(\w+) runnable\s*$", RegexOptions.Multiline);
    private static readonly Regex ExitComment = new(@"\s+# exits (\d+)\b.*$");
    private static readonly Regex Duration = new(@"\b\d+(\.\d+)? s\b");

    public override string ToString() => $"{File}:{Line}: {Command}";

    /// <summary>Every marked command of README.md and docs/*.md, in file order.</summary>
    public static IReadOnlyList<DocumentedCommand> All()
    {
        var files = new[] { "README.md" }.Concat(Directory.GetFiles(RepoPaths.Combine("docs"), "*.md").Select(path => Path.Combine("docs", Path.GetFileName(path))).Order(StringComparer.Ordinal));
        return files.SelectMany(file => Parse(file, System.IO.File.ReadAllText(RepoPaths.Combine(file)).Replace("\r\n", "\n", StringComparison.Ordinal))).ToList();
    }

    public static IEnumerable<DocumentedCommand> Parse(string file, string markdown)
    {
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence.Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, line => line.StartsWith("```", StringComparison.Ordinal));
            if (end < 0)
            {
                throw new InvalidOperationException($"{file}:{i + 1}: the runnable block is not closed");
            }

            var body = lines[(i + 1)..end];
            var commands = fence.Groups[1].Value == "console" ? Transcript(file, i + 2, body) : Script(file, i + 2, body);
            foreach (var command in commands)
            {
                yield return command;
            }

            i = end;
        }
    }

    /// <summary>The output as the transcript would show it: durations masked, trailing blanks dropped.</summary>
    public static string Normalize(string line) => Duration.Replace(line, "# s").TrimEnd();

    /// <summary>Whether <paramref name="actual"/> matches the transcript's lines, a line <c>...</c> standing for any lines.</summary>
    public bool Matches(IReadOnlyList<string> actual) => Matches(ExpectedOutput!.Select(Normalize).ToList(), 0, actual.Select(Normalize).ToList(), 0);

    private static bool Matches(List<string> expected, int e, List<string> actual, int a)
    {
        if (e == expected.Count)
        {
            return a == actual.Count;
        }

        if (expected[e] == "...")
        {
            for (var skip = a; skip <= actual.Count; skip++)
            {
                if (Matches(expected, e + 1, actual, skip))
                {
                    return true;
                }
            }

            return false;
        }

        return a < actual.Count && expected[e] == actual[a] && Matches(expected, e + 1, actual, a + 1);
    }

    private static IEnumerable<DocumentedCommand> Script(string file, int firstLine, string[] body)
    {
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i].Trim().Length == 0 || body[i].TrimStart().StartsWith('#'))
            {
                continue;
            }

            var start = i;
            var command = Joined(body, ref i);
            var exit = ExitComment.Match(command);
            yield return exit.Success
                ? new DocumentedCommand(file, firstLine + start, command[..exit.Index], null, int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
                : new DocumentedCommand(file, firstLine + start, command, null);
        }
    }

    private static IEnumerable<DocumentedCommand> Transcript(string file, int firstLine, string[] body)
    {
        for (var i = 0; i < body.Length; i++)
        {
            if (!body[i].StartsWith("$ ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{file}:{firstLine + i}: a transcript starts each command with '$ '");
            }

            var start = i;
            body[i] = body[i][2..];
            var command = Joined(body, ref i);
            var output = new List<string>();
            while (i + 1 < body.Length && !body[i + 1].StartsWith("$ ", StringComparison.Ordinal))
            {
                output.Add(body[++i]);
            }

            yield return new DocumentedCommand(file, firstLine + start, command, output);
        }
    }

    /// <summary>One command, with its <c>\</c>-continued lines.</summary>
    private static string Joined(string[] body, ref int i)
    {
        var command = new StringBuilder();
        while (body[i].TrimEnd().EndsWith('\\') && i + 1 < body.Length)
        {
            command.Append(body[i].TrimEnd()[..^1].TrimEnd()).Append(' ');
            i++;
        }

        return command.Append(body[i].Trim()).ToString().Trim();
    }
}
