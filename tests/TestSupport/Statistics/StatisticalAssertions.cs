namespace Tts.TestSupport.Statistics;

/// <summary>
/// The registry of statistical assertions across all test projects, which splits
/// <see cref="AlphaBudget.Family"/> (see there). Add yours to the list and to the count.
/// </summary>
public static class StatisticalAssertions
{
    /// <summary>
    /// 1. Runtime.Tests, Sampling/TokenSamplerStatisticalTests: sampled tokens vs the transformed law (chi-square).
    /// 2. Cli.Tests, RunCommandTests: `tts run` of the sampling example vs the model's exact text law (chi-square).
    /// 3. Runtime.Tests, Resampling/ResamplerStatisticalTests: per-index offspring means of the four resamplers
    ///    (Hoeffding; one assertion, its alpha split again over schemes × indices).
    /// 4. Runtime.Tests, Resampling/ResamplerStatisticalTests: multinomial ancestors vs the weights (chi-square).
    /// 5–8. Testing.Tests, Properties/ExampleStrategyChecks: the executor vs the oracle's exact output law of four
    ///    example strategies (sampling, best-of-N, majority vote, rejection; one chi-square each).
    /// 9–14. Testing.Tests, Properties/RandomProgramProperties: the executor vs the oracle on
    ///    <c>RandomProgramProperties.StatisticalCases</c> = 6 random programs (one chi-square per FsCheck case).
    /// 15. Cli.Tests, TestCommandTests: `tts test` of the sampling example (its runtime chi-square).
    /// 16. Testing.Tests, Oracle/SmcTargetTests: an smc strategy at N = 64 within the tolerance of its target (chi-square).
    /// 17. Testing.Tests, Mutation/TwistNotRemovedTests: the correct twisted smc within the tolerance of its target (chi-square).
    /// 18–27. Testing.Tests, Properties/ConsistencyProperties: <c>StatisticalCases</c> = 5 random consistent
    ///    programs, two assertions each (upper TV bound at N = 32 below the exact TV(1); chi-square within the tolerance).
    /// 28–44. Cli.Tests, StrategyLibraryTests: `tts test` on the strategy library, one chi-square check for
    ///    each of <c>StrategyLibraryTests.StatisticalChecks</c> = 19 strategies (the 18th and 19th are counted as 57 and 58).
    /// 45. Serving.Tests, CompletionLawTests: completions sampled through `tts serve`'s HTTP API vs the exact text law
    ///    (chi-square).
    /// 46–47. Engines.Remote.Tests, LawThroughHttpTests: sampling and rejection on a model behind tts serve vs the
    ///    oracle's exact output law (one chi-square each).
    /// 48. Engines.Tests, GgufSampledLawTests: two-token continuations on the gguf engine vs the TorchSharp engine's
    ///    exact law (chi-square).
    /// 49–50. Testing.Tests, Properties/SharedInputChecks: the executor vs the oracle's exact output law of a repeat
    ///    whose members may give no output, and of a sample from a randomly drawn prompt (one chi-square each).
    /// 51. Testing.Tests, Oracle/LikelihoodTargetTests: importance sampling from a proposal model at N = 64 within the
    ///    tolerance of the target model's law (chi-square).
    /// 52. Testing.Tests, Oracle/AdaptiveVoteLawTests: the adaptive vote's runs against the majority-vote law of all n
    ///    draws (chi-square).
    /// 53–54. Engines.Remote.Tests, LawThroughHttpTests: the same two strategies as 46–47 sampled on the server
    ///    (sampling=server) vs the oracle's exact output law (one chi-square each).
    /// 55. Testing.Tests, Statistics/WorstCasePowerTests: the pooled chi-square's rejections against the worst-case law
    ///    at the TV its figure catches with power ½ (exact binomial test).
    /// 56. Testing.Tests, Oracle/ParticleGibbsTests: particle Gibbs runs after three sweeps vs the oracle's exact law
    ///    (chi-square).
    /// 57. Cli.Tests, StrategyLibraryTests: the library's 18th checked strategy (particle_gibbs, against its target).
    /// 58. Cli.Tests, StrategyLibraryTests: the library's 19th checked strategy (more_confident of confident_exit.tts,
    ///    against its exact output law).
    /// 59. Cli.Tests, StrategyLibraryTests: the library's 20th checked strategy (step_speculation_exact of
    ///    step_speculation.tts, against its exact output law).
    /// 60. Runtime.Tests, Execution/StepSpeculationTests: the likelihood-ratio step speculation's runs vs the large
    ///    model's own step law, in closed form (chi-square).
    /// </summary>
    public const int Count = 60;
}
