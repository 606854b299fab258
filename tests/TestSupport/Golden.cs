using Xunit;

namespace Tts.TestSupport;

/// <summary>
/// Golden-file assertions. Set TTS_UPDATE_GOLDEN=1 to rewrite the expected files from the actual output,
/// then review the diff before committing: a golden file is only as good as the reading it got.
/// </summary>
public static class Golden
{
    public static bool Updating => Environment.GetEnvironmentVariable("TTS_UPDATE_GOLDEN") == "1";

    public static void AssertMatches(string expectedPath, string actual)
    {
        actual = actual.Replace("\r\n", "\n");
        if (Updating)
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        Assert.True(File.Exists(expectedPath), $"missing golden file {expectedPath}: run the tests with TTS_UPDATE_GOLDEN=1 to create it, then review it");
        var expected = File.ReadAllText(expectedPath).Replace("\r\n", "\n");
        if (expected != actual)
        {
            var expectedLines = expected.Split('\n');
            var actualLines = actual.Split('\n');
            var line = Enumerable.Range(0, Math.Max(expectedLines.Length, actualLines.Length))
                .First(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i]);
            Assert.Fail($"{Path.GetFileName(expectedPath)} differs at line {line + 1}:\n  expected: {At(expectedLines, line)}\n  actual:   {At(actualLines, line)}\n(TTS_UPDATE_GOLDEN=1 rewrites it)");
        }
    }

    private static string At(string[] lines, int i) => i < lines.Length ? lines[i] : "<end of file>";
}
