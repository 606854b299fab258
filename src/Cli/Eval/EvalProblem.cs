namespace Tts.Cli.Eval;

/// <summary>One problem of an evaluation: the text a strategy is given, and the expected answer.</summary>
internal sealed record EvalProblem(string Prompt, string Answer);
