using Tts.TestSupport;

namespace Tts.Compiler.Tests.Fuzzing;

/// <summary>
/// The fuzz generator reaches the strategy constructs of issue 20 in programs without errors, so the front-end fuzz
/// lowers, verifies and formats them (not only rejects them): particle Gibbs, entropic weighting, early rejection by a
/// partial reward, Monte Carlo tree search (UCT and PUCT), the adaptive vote and the confidence exit.
/// </summary>
[Trait("Category", TestCategories.Slow)]
public sealed class FuzzCoverageTests
{
    private const int Seeds = 1_000;

    /// <summary>Each construct must appear in at least this many of the error-free programs among the seeds.</summary>
    private const int AtLeast = 3;

    private static readonly (string Construct, string Fragment)[] Constructs =
    [
        ("particle Gibbs", "iterations = "),
        ("entropic weighting", "temper = "),
        ("early rejection", "condition xs: real(prm(xs)) >= "),
        ("MCTS (UCT)", "method = mcts"),
        ("MCTS (PUCT)", "method = puct"),
        ("adaptive vote", "adaptive_vote("),
        ("confidence exit", "until = len(r) > 0 and real(logp("),
    ];

    [Fact]
    public void Generated_programs_without_errors_hold_every_new_construct()
    {
        var seen = Constructs.ToDictionary(c => c.Construct, _ => 0);
        for (var seed = 0; seed < Seeds; seed++)
        {
            var generator = new FuzzPrograms(seed);
            var text = generator.Next();
            var (violation, lowered) = FrontEndOracle.Check(text);
            Assert.True(violation is null, $"seed {seed}: {violation}");
            if (!lowered)
            {
                continue;
            }

            foreach (var (construct, fragment) in Constructs.Where(c => text.Contains(c.Fragment, StringComparison.Ordinal)))
            {
                seen[construct]++;
            }
        }

        var missing = seen.Where(s => s.Value < AtLeast).Select(s => $"{s.Key} ({s.Value})").ToList();
        Assert.True(missing.Count == 0, $"in {Seeds} generated programs, too few without errors hold: {string.Join(", ", missing)}");
    }
}
