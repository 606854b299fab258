using System.Globalization;
using System.Text;
using Tts.Cli.Eval;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary><c>tts plot</c>: the plot of a results.json drawn again, and a look of its own for every line.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-plot-");

    public void Dispose() => _folder.Dispose();

    /// <summary>A results.json as tts eval writes it: one strategy without a budget, then <paramref name="strategies"/> at budgets 1, 2, 4 (one failed cell).</summary>
    private string Results(int strategies)
    {
        var rows = new List<string>
        {
            """{"strategy": "single", "budget": null, "problems": 10, "correct": 5, "accuracy": 0.5, "ci95_low": 0.2, "ci95_high": 0.8, "tokens_per_problem": 20, "reward_calls_per_problem": 0, "seconds": 1}""",
        };
        for (var s = 0; s < strategies; s++)
        {
            foreach (var budget in new[] { 1, 2, 4 })
            {
                var correct = Math.Min(10, s % 5 + budget);
                rows.Add(s == 3 && budget == 4
                    ? $$"""{"strategy": "s{{s}}", "budget": {{budget}}, "problems": 10, "error": "out of memory", "seconds": 2}"""
                    : string.Create(CultureInfo.InvariantCulture,
                        $$"""{"strategy": "s{{s}}", "budget": {{budget}}, "problems": 10, "correct": {{correct}}, "accuracy": {{correct / 10.0}}, "ci95_low": {{correct / 20.0}}, "ci95_high": {{Math.Min(1, correct / 10.0 + 0.1)}}, "tokens_per_problem": {{20 * budget}}, "reward_calls_per_problem": {{budget}}, "seconds": 1.5}"""));
            }
        }

        var json = new StringBuilder("""{"task": "arithmetic", "problems": 10, "budget_parameter": "n", "seed": 0, "models": {}, "strategies": [], "results": [""");
        json.AppendJoin(",\n", rows).Append("]}");
        return _folder.Write("results.json", json.ToString());
    }

    [Fact]
    public void It_draws_the_plot_of_a_results_file_again_next_to_it_or_where_asked()
    {
        var results = Results(12);
        var next = CliRunner.Run("plot", results);
        Assert.True(next.ExitCode == 0, next.Error);
        AssertPng(Path.ChangeExtension(results, ".png"));

        var elsewhere = Path.Combine(_folder.Combine("plots"), "accuracy.png");
        var asked = CliRunner.Run("plot", results, "--out", elsewhere);
        Assert.True(asked.ExitCode == 0, asked.Error);
        Assert.Contains($"wrote {elsewhere}", asked.Output, StringComparison.Ordinal);
        AssertPng(elsewhere);
    }

    [Fact]
    public void It_reads_back_every_cell_eval_wrote()
    {
        var (title, budgetName, results) = ResultsReport.ReadJson(Results(2));
        Assert.Equal("arithmetic: 10 problems", title);
        Assert.Equal("n", budgetName);
        Assert.Equal(7, results.Count);
        Assert.True(results[0].Fixed);
        Assert.Equal(new EvalResult("s0", 2, 10, 2, 0.1, 0.2 + 0.1, 40, 2, 1.5), results[2]);
    }

    [Fact]
    public void A_file_that_is_not_eval_results_is_a_one_line_error()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("plot", _folder.Write("bad.json", """{"task": "arithmetic"}""")), "not a results.json of tts eval");
        CliRunner.AssertOneLineError(CliRunner.Run("plot", _folder.Combine("absent.json")), "file not found");
        CliRunner.AssertOneLineError(CliRunner.Run("plot", Results(1), "--out", _folder.Combine("plot.svg")), "give a path ending in .png");
    }

    [Fact]
    public void Every_line_of_up_to_forty_has_its_own_look_and_the_first_twenty_their_own_colours()
    {
        var looks = Enumerable.Range(0, 40).Select(ResultsPlot.Style).ToList();
        Assert.Equal(40, looks.Distinct().Count());
        Assert.Equal(20, looks.Take(20).Select(l => l.Color).Distinct().Count());
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}
