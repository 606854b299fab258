namespace Tts.Cli.Eval;

/// <summary>One strategy at one budget over the task's problems; <c>Fixed</c>: the strategy takes no budget (run once).</summary>
internal sealed record EvalResult(
    string Strategy, long Budget, int Problems, int Correct, double Low, double High, double TokensPerProblem, double RewardCallsPerProblem, double Seconds,
    bool Fixed = false)
{
    public double Accuracy => (double)Correct / Problems;
}
