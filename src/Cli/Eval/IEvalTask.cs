using Tts.Runtime.Rewards;

namespace Tts.Cli.Eval;

/// <summary>
/// A set of problems with an exact grader: what `tts eval` scores strategies on. Its verifier (the oracle: is this
/// text a correct final answer of its run's problem?) and extractor (the answer in a text) can be bound to the
/// verifiers and extractors a strategy declares.
/// </summary>
internal interface IEvalTask
{
    string Name { get; }

    IReadOnlyList<EvalProblem> Problems { get; }

    /// <summary>The answer a strategy's output states ("" when none): outputs may be whole solutions or bare answers (a vote's key).</summary>
    string ExtractAnswer(string output);

    /// <summary>The oracle for a batch whose runs are <paramref name="problems"/> (each text's run from <see cref="FunctionCallContext"/>).</summary>
    IVerifier Verifier(IReadOnlyList<EvalProblem> problems) =>
        DelegateVerifier.Batched(texts => texts.Select((text, i) => IsCorrect(problems[FunctionCallContext.RunOf(i)], text)).ToArray());

    IExtractor Extractor() => DelegateExtractor.PerText(ExtractAnswer);

    bool IsCorrect(EvalProblem problem, string output) => ExtractAnswer(output) == problem.Answer;
}
