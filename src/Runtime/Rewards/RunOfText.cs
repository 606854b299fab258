using Tts.Runtime.Execution;

namespace Tts.Runtime.Rewards;

/// <summary>
/// Which run a text of a batched reward, verifier or extractor call belongs to. The executor passes texts run-major
/// with the same number per run (row r of a population belongs to run r / particles per run; a per-run value is one
/// text per run), so text i of n belongs to run i / (n / runs). Functions that depend on the run's question (a
/// process reward, an oracle checker) use this to find it.
/// </summary>
public static class RunOfText
{
    public static int Index(int text, int texts, int runs)
    {
        if (runs < 1 || texts % runs != 0)
        {
            throw new RuntimeException($"a batch of {texts} texts cannot belong to {runs} runs evenly");
        }

        return text / (texts / runs);
    }
}
