using System.CommandLine;
using Tts.Cli.Eval;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts plot RESULTS.json [--out FILE.png]</c>: draws the accuracy-against-budget plot of a results.json that
/// <c>tts eval</c> wrote, again: after results of several runs were spliced into one file, or with a newer plot style,
/// without running any strategy.
/// </summary>
internal static class PlotCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("results") { Description = "A results.json written by tts eval" };
        var outFile = new Option<string?>("--out") { Description = "The PNG to write (default: the results file's name with .png)" };
        var command = new Command("plot", "Draw the accuracy plot of a tts eval results.json again") { file, outFile };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var (title, budgetName, results) = ResultsReport.ReadJson(path);
            var png = result.GetValue(outFile) ?? Path.ChangeExtension(path, ".png");
            if (!png.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliException($"--out {png}: the plot is a PNG: give a path ending in .png");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(png))!);
            ResultsPlot.Save(png, title, results, budgetName);
            output.WriteLine($"wrote {png}");
            return TtsCommandLine.Success;
        });
        return command;
    }
}
