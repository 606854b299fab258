namespace Tts.Cli.Eval;

/// <summary>
/// One strategy at one budget over the task's problems; <c>Fixed</c>: the strategy takes no budget (run once);
/// <c>Error</c>: why this cell failed (the other cells of the evaluation still run). <c>RedrawnTokensPerProblem</c>: of the
/// tokens, those a <c>reextend</c> redrew with its model (step speculation's large-model share).
/// </summary>
internal sealed record EvalResult(
    string Strategy, long Budget, int Problems, int Correct, double Low, double High, double TokensPerProblem, double RewardCallsPerProblem, double Seconds,
    bool Fixed = false, string? Error = null, double RedrawnTokensPerProblem = 0)
{
    public double Accuracy => (double)Correct / Problems;

    public bool Failed => Error is not null;

    public static EvalResult Failure(string strategy, long budget, int problems, double seconds, bool isFixed, string error) =>
        new(strategy, budget, problems, 0, double.NaN, double.NaN, double.NaN, double.NaN, seconds, isFixed, error);
}
