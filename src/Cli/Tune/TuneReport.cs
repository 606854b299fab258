using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tts.Cli.Commands;

namespace Tts.Cli.Tune;

/// <summary>What `tts tune` prints and writes: the search table, the held-out frontier, tune.json, frontier.png, tuned.tts.</summary>
internal sealed record TuneReport(
    TuneSplits Splits,
    TuneCommand.TuneRequest Request,
    IReadOnlyList<int> Rungs,
    bool Grid,
    IReadOnlyList<SearchEntry<TuneCandidate>> Entries,
    IReadOnlyList<HeldOutResult> HeldOut,
    SearchEntry<TuneCandidate>? Chosen,
    IReadOnlyDictionary<TuneCandidate, double> Seconds,
    double TotalSeconds)
{
    public static readonly string[] Files = ["tune.json", "frontier.png", "tuned.tts", "adaptive.json"];

    public void WriteTables(IAnsiConsole console)
    {
        var search = new Table { Title = new TableTitle($"{Splits.Name}: search on {Splits.Dev} development problems ({(Grid ? "grid" : "successive halving, rungs " + string.Join("/", Rungs))})") };
        foreach (var column in new[] { "candidate", "problems", "accuracy", "95% interval", "tokens / problem", "worst case", "reward calls", "seconds" })
        {
            search.AddColumn(column == "candidate" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        }

        foreach (var entry in Entries.OrderByDescending(e => e.Outcomes.Count).ThenByDescending(e => e.Outcomes.Count > 0 ? e.Summary.Accuracy : -1))
        {
            if (entry.Outcomes.Count == 0)
            {
                search.AddRow(Markup.Escape(entry.Candidate.Label), "0", "[red]failed[/]", "-", "-", Static(entry.Candidate), "-", Seconds.GetValueOrDefault(entry.Candidate).ToString("F0", CultureInfo.InvariantCulture));
                continue;
            }

            var s = entry.Summary;
            search.AddRow(
                Markup.Escape(entry.Candidate.Label), s.Problems.ToString(CultureInfo.InvariantCulture), Percent(s.Accuracy), $"{Percent(s.Low)} – {Percent(s.High)}",
                Tokens(s), Static(entry.Candidate), s.RewardCalls.ToString("F0", CultureInfo.InvariantCulture),
                Seconds.GetValueOrDefault(entry.Candidate).ToString("F0", CultureInfo.InvariantCulture));
        }

        console.Write(search);
        var frontier = new Table { Title = new TableTitle($"frontier on {Splits.HeldOut} held-out problems (development frontier, re-run; 95% intervals)") };
        foreach (var column in new[] { "candidate", "dev accuracy", "held-out accuracy", "95% interval", "tokens / problem (±95%)", "reward calls", "" })
        {
            frontier.AddColumn(column is "candidate" or "" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        }

        foreach (var result in HeldOut)
        {
            var s = result.Summary;
            frontier.AddRow(
                Markup.Escape(result.Entry.Candidate.Label), Percent(result.Entry.Summary.Accuracy), Percent(s.Accuracy), $"{Percent(s.Low)} – {Percent(s.High)}", Tokens(s),
                s.RewardCalls.ToString("F0", CultureInfo.InvariantCulture), ReferenceEquals(result.Entry, Chosen) ? "[green]chosen[/]" : "");
        }

        console.Write(frontier);
    }

    public void Save(string outDir)
    {
        WriteJson(Path.Combine(outDir, "tune.json"));
        FrontierPlot.Save(Path.Combine(outDir, "frontier.png"), $"{Splits.Name}: accuracy against tokens per problem", Entries, HeldOut, Chosen);
        if (Chosen is { } chosen)
        {
            var held = HeldOut.Single(h => ReferenceEquals(h.Entry, chosen)).Summary;
            var header = new[]
            {
                $"Tuned by `tts tune` on {Splits.Name}: {chosen.Candidate.Label}, the most accurate on {Splits.Dev} development problems"
                + (Request.MaxTokens is { } cap ? $" within {cap.ToString(CultureInfo.InvariantCulture)} tokens per problem." : "."),
                $"Development: {Percent(chosen.Summary.Accuracy)} at {chosen.Summary.Tokens:F0} tokens per problem; held-out ({Splits.HeldOut} problems): "
                + $"{Percent(held.Accuracy)} ({Percent(held.Low)} – {Percent(held.High)}) at {held.Tokens:F0} tokens per problem (seed {Request.Settings.Seed}).",
            };
            File.WriteAllText(Path.Combine(outDir, "tuned.tts"), TunedStrategyWriter.Write(chosen.Candidate, header));
        }
    }

    private void WriteJson(string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("task", Splits.Name);
        json.WriteNumber("dev_problems", Splits.Dev);
        json.WriteNumber("held_out_problems", Splits.HeldOut);
        json.WriteString("search", Grid ? "grid" : "successive_halving");
        json.WriteNumber("eta", Request.Eta);
        json.WriteStartArray("rungs");
        foreach (var rung in Rungs)
        {
            json.WriteNumberValue(rung);
        }

        json.WriteEndArray();
        json.WriteNumber("seed", Request.Settings.Seed);
        if (Request.MaxTokens is { } cap)
        {
            json.WriteNumber("max_tokens", cap);
        }

        json.WriteNumber("seconds", TotalSeconds);
        json.WriteStartArray("candidates");
        foreach (var entry in Entries)
        {
            json.WriteStartObject();
            json.WriteString("candidate", entry.Candidate.Label);
            json.WriteString("file", entry.Candidate.Strategy.Path);
            json.WriteString("strategy", entry.Candidate.Strategy.Strategy.Name);
            json.WriteStartObject("parameters");
            foreach (var (name, value) in entry.Candidate.Settings)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            if (entry.Candidate.StaticTokens is { } bound)
            {
                json.WriteNumber("worst_case_tokens", bound);
            }

            if (entry.Error is not null)
            {
                json.WriteString("error", entry.Error);
            }

            if (entry.Outcomes.Count > 0)
            {
                WriteSummary(json, "dev", entry.Summary);
            }

            if (HeldOut.FirstOrDefault(h => ReferenceEquals(h.Entry, entry)) is { } held)
            {
                WriteSummary(json, "held_out", held.Summary);
            }

            json.WriteBoolean("chosen", ReferenceEquals(entry, Chosen));
            json.WriteNumber("seconds", Seconds.GetValueOrDefault(entry.Candidate));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, string name, OutcomeSummary s)
    {
        json.WriteStartObject(name);
        json.WriteNumber("problems", s.Problems);
        json.WriteNumber("correct", s.Correct);
        json.WriteNumber("accuracy", s.Accuracy);
        json.WriteNumber("ci95_low", s.Low);
        json.WriteNumber("ci95_high", s.High);
        json.WriteNumber("tokens_per_problem", s.Tokens);
        json.WriteNumber("tokens_ci95_half_width", s.TokensHalfWidth);
        json.WriteNumber("reward_calls_per_problem", s.RewardCalls);
        json.WriteEndObject();
    }

    private static string Static(TuneCandidate candidate) => candidate.StaticTokens?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Tokens(OutcomeSummary s) => $"{s.Tokens.ToString("F0", CultureInfo.InvariantCulture)} ± {s.TokensHalfWidth.ToString("F0", CultureInfo.InvariantCulture)}";

    private static string Percent(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
