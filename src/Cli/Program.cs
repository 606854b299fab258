using Tts.Cli.Output;

namespace Tts.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var watch = ClosedOutputWatch.OfStandardOutput();
        return TtsCommandLine.Run(args, Console.Out, Console.Error, watch.Closed);
    }
}
