using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tts.Cli.Binding;
using Tts.Cli.Commands;

namespace Tts.Cli.Eval;

/// <summary>The table printed by `tts eval` and its results.json.</summary>
internal static class ResultsReport
{
    public static void WriteTable(IAnsiConsole console, string title, IReadOnlyList<EvalResult> results, string budgetName)
    {
        // Fits an 80-column terminal with names up to about 20 characters: names never wrap, headers take two lines.
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Minimal };
        table.AddColumn(new TableColumn("strategy").NoWrap());
        table.AddColumn(new TableColumn(budgetName).RightAligned());
        table.AddColumn(new TableColumn("accuracy\n(95% interval)").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("tokens\n/ problem").RightAligned());
        table.AddColumn(new TableColumn("rewards\n/ problem").RightAligned());
        table.AddColumn(new TableColumn("time\n(s)").RightAligned());
        foreach (var r in results)
        {
            if (r.Failed)
            {
                table.AddRow(Markup.Escape(r.Strategy), r.Fixed ? "-" : r.Budget.ToString(CultureInfo.InvariantCulture), "[red]failed[/]", "-", "-", r.Seconds.ToString("F1", CultureInfo.InvariantCulture));
                continue;
            }

            table.AddRow(
                Markup.Escape(r.Strategy),
                r.Fixed ? "-" : r.Budget.ToString(CultureInfo.InvariantCulture),
                $"{Percent(r.Accuracy)} ({Percent(r.Low).TrimEnd('%')}–{Percent(r.High).TrimEnd('%')})",
                r.TokensPerProblem.ToString("F0", CultureInfo.InvariantCulture),
                r.RewardCallsPerProblem.ToString("F0", CultureInfo.InvariantCulture),
                r.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        foreach (var r in results.Where(r => !r.Failed && r.RedrawnTokensPerProblem > 0))
        {
            // Step speculation: how many of the tokens the redrawing (large) model decoded.
            console.MarkupLine(Markup.Escape(FormattableString.Invariant(
                $"{r.Strategy} at {r.Budget}: {r.RedrawnTokensPerProblem:F0} of {r.TokensPerProblem:F0} tokens per problem redrawn by reextend's model")));
        }
    }

    public static void WriteJson(
        string path, IEvalTask task, EvalCommand.EvalRequest request, IReadOnlyList<ModelSpec> models, string? rewardModel, IReadOnlyList<EvalResult> results)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("task", task.Name);
        json.WriteNumber("problems", task.Problems.Count);
        json.WriteString("budget_parameter", request.BudgetParameter);
        json.WriteNumber("seed", request.Settings.Seed);
        json.WriteStartObject("models");
        foreach (var model in models)
        {
            json.WriteString(model.Name, $"{model.Kind}:{model.Path}");
        }

        json.WriteEndObject();
        if (rewardModel is not null)
        {
            json.WriteString("reward_model", rewardModel);
        }

        json.WriteStartArray("strategies");
        foreach (var file in request.Files)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
        json.WriteStartArray("results");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("strategy", r.Strategy);
            if (r.Fixed)
            {
                json.WriteNull("budget");
            }
            else
            {
                json.WriteNumber("budget", r.Budget);
            }

            json.WriteNumber("problems", r.Problems);
            if (r.Failed)
            {
                json.WriteString("error", r.Error);
                json.WriteNumber("seconds", r.Seconds);
                json.WriteEndObject();
                continue;
            }

            json.WriteNumber("correct", r.Correct);
            json.WriteNumber("accuracy", r.Accuracy);
            json.WriteNumber("ci95_low", r.Low);
            json.WriteNumber("ci95_high", r.High);
            json.WriteNumber("tokens_per_problem", r.TokensPerProblem);
            json.WriteNumber("reward_calls_per_problem", r.RewardCallsPerProblem);
            if (r.RedrawnTokensPerProblem > 0)
            {
                json.WriteNumber("redrawn_tokens_per_problem", r.RedrawnTokensPerProblem);
            }

            json.WriteNumber("seconds", r.Seconds);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// The results of a results.json that <see cref="WriteJson"/> wrote (or one edited by hand, e.g. to splice in a strategy
    /// run on its own), with its plot title and budget parameter: what <c>tts plot</c> draws again.
    /// </summary>
    public static (string Title, string BudgetName, List<EvalResult> Results) ReadJson(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: {(exception is FileNotFoundException or DirectoryNotFoundException ? "file not found" : exception.Message)}");
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            var results = new List<EvalResult>();
            var index = 0;
            foreach (var r in root.GetProperty("results").EnumerateArray())
            {
                index++;
                var strategy = r.GetProperty("strategy").GetString() ?? throw new CliException($"{path}: result {index} has a null strategy");
                var isFixed = r.GetProperty("budget").ValueKind == JsonValueKind.Null;
                var budget = isFixed ? 1 : r.GetProperty("budget").GetInt64();
                var problems = r.GetProperty("problems").GetInt32();
                var seconds = r.GetProperty("seconds").GetDouble();
                results.Add(r.TryGetProperty("error", out var error)
                    ? EvalResult.Failure(strategy, budget, problems, seconds, isFixed, error.GetString() ?? "")
                    : new EvalResult(
                        strategy, budget, problems, r.GetProperty("correct").GetInt32(), r.GetProperty("ci95_low").GetDouble(), r.GetProperty("ci95_high").GetDouble(),
                        r.GetProperty("tokens_per_problem").GetDouble(), r.GetProperty("reward_calls_per_problem").GetDouble(), seconds, isFixed,
                        RedrawnTokensPerProblem: r.TryGetProperty("redrawn_tokens_per_problem", out var redrawn) ? redrawn.GetDouble() : 0));
            }

            var title = $"{root.GetProperty("task").GetString()}: {root.GetProperty("problems").GetInt32()} problems";
            return (title, root.GetProperty("budget_parameter").GetString() ?? "n", results);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CliException($"{path}: not a results.json of tts eval: {exception.Message}");
        }
    }

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
