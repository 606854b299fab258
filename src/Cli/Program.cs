using Tts.Cli.Output;
using Tts.Runtime.Models;

namespace Tts.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        OpenMpWaitPolicy.PreferPassive(); // before libtorch loads (docs/performance.md, "Threads")
        using var watch = ClosedOutputWatch.OfStandardOutput();
        return TtsCommandLine.Run(args, Console.Out, Console.Error, watch.Closed);
    }
}
