namespace Tts.Cli;

internal static class Program
{
    private static int Main(string[] args) => TtsCommandLine.Run(args, Console.Out, Console.Error);
}
