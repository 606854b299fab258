namespace Tts.Language.Tests;

/// <summary>
/// Effects confined to their blocks (TTS0125), checked by code and position only: the message text is wrong today
/// (FINDINGS.md), so these programs are kept out of the golden corpus.
/// </summary>
public sealed class EffectConfinementTests
{
    public static TheoryData<string, string> Rows() => new()
    {
        { "factor ps += log(prm(ps)) / 2.0", "body" },
        { "observe ps: prob(0.5)", "body" },
        { "twist ps = log(prm(ps))", "body" },
        { "score ps = prm(ps)", "body" },
        { "extend ps by policy(max_tokens: 4)", "body" },
        { "condition ps: len(ps) > 2", "body" },
        { "factor ps += weight(1.0)", "search" },
        { "observe ps: p_ok(ps)", "search" },
        { "score ps = prm(ps)", "smc" },
        { "extend ps by policy(max_tokens: 4)", "fork" },
        { "factor ps += weight(1.0)", "fork" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Effect_outside_its_block_is_reported_at_the_statement(string statement, string where)
    {
        var line = where switch
        {
            "search" => $"    search ps with steps <= 2 {{\n        extend ps by policy(max_tokens: 4)\n        {statement}\n    }}\n",
            "smc" => $"    smc ps with steps <= 2 {{\n        extend ps by policy(max_tokens: 4)\n        {statement}\n    }}\n",
            "fork" => $"    fork {{\n        {statement}\n    }}\n",
            _ => $"    {statement}\n",
        };
        var program = $"strategy s(q: text) -> text {{\n    population ps = spawn(2, prompt: q)\n{line}    return sample(ps)\n}}\n";

        var (_, diagnostics) = ProgramBinding.Bind(program);

        var error = Assert.Single(diagnostics, d => d.IsError);
        Assert.Equal("TTS0125", error.Id);
        var expectedLine = ProgramBinding.Prelude.Split('\n').Length - 1 + program.Split('\n').ToList().FindIndex(l => l.Trim() == statement) + 1;
        Assert.Contains($"({expectedLine},", error.ToString(), StringComparison.Ordinal);
    }
}
