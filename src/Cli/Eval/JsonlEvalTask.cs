using System.Text.Json;
using Tts.Language.Binding;
using Tts.Semantics;

namespace Tts.Cli.Eval;

/// <summary>
/// A task from a JSONL file, one <c>{"prompt": TEXT, "answer": TEXT or number}</c> per line, graded by a named answer
/// extractor: <c>answer</c> (the language's built-in: last <c>\boxed{}</c>, else after the last <c>A:</c>, else the
/// last number) or <c>line</c> (the output's last non-empty line). Answers are compared as trimmed text.
/// </summary>
internal sealed class JsonlEvalTask : IEvalTask
{
    public static readonly string[] Extractors = ["answer", "line"];

    private readonly Func<string, string> _extract;

    private JsonlEvalTask(string name, IReadOnlyList<EvalProblem> problems, Func<string, string> extract)
    {
        Name = name;
        Problems = problems;
        _extract = extract;
    }

    public string Name { get; }

    public IReadOnlyList<EvalProblem> Problems { get; }

    public static JsonlEvalTask Load(string path, string extractor, int? count)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--task {path}: file not found (use a generated task, {Tts.Tasks.GeneratedTasks.Names}, or a JSONL file of {{\"prompt\": .., \"answer\": ..}})");
        }

        Func<string, string> extract = extractor switch
        {
            "answer" => text => AnswerExtraction.Extract(text).Trim(),
            "line" => text => text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "",
            _ => throw new CliException($"--extractor {extractor}: unknown extractor (known: {string.Join(", ", Extractors)})"),
        };
        var problems = new List<EvalProblem>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("answer", out var answer) || answer.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                {
                    throw new CliException($"{path}({lineNumber}): expected {{\"prompt\": TEXT, \"answer\": TEXT or number}}");
                }

                problems.Add(new EvalProblem(prompt.GetString()!, (answer.ValueKind == JsonValueKind.String ? answer.GetString()! : answer.GetRawText()).Trim()));
            }
            catch (JsonException exception)
            {
                throw new CliException($"{path}({lineNumber},{(exception.BytePositionInLine ?? 0) + 1}): not valid JSON: {Tts.Runtime.Models.JsonErrors.Reason(exception)}");
            }
        }

        if (problems.Count == 0)
        {
            throw new CliException($"{path}: no problems");
        }

        return new JsonlEvalTask(Path.GetFileNameWithoutExtension(path), count is { } n ? problems.Take(n).ToList() : problems, extract);
    }

    public string ExtractAnswer(string output) => _extract(output);
}
