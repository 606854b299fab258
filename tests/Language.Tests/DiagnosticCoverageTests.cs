using Tts.Language.Diagnostics;
using Tts.TestSupport;

namespace Tts.Language.Tests;

/// <summary>Every diagnostic code is exercised by at least one golden program, so no code goes untested.</summary>
public sealed class DiagnosticCoverageTests
{
    /// <summary>
    /// Codes whose every message is currently wrong, so no golden file may hold them (see FINDINGS.md); each is
    /// still checked by code and position in <see cref="EffectConfinementTests"/>. Remove an entry once fixed.
    /// </summary>
    private static readonly Dictionary<string, string> KnownGaps = new(StringComparer.Ordinal)
    {
    };

    [Fact]
    public void Every_code_appears_in_a_golden_expected_file()
    {
        var expected = Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.expected")
            .Select(File.ReadAllText)
            .ToList();

        var missing = DiagnosticDescriptors.All
            .Select(d => d.Id)
            .Where(id => !KnownGaps.ContainsKey(id))
            .Where(id => !expected.Any(text => text.Contains($" {id}: ", StringComparison.Ordinal)))
            .ToList();

        Assert.True(missing.Count == 0, "codes never produced by a golden program: " + string.Join(", ", missing));
    }

    [Fact]
    public void Known_gaps_are_real_codes_that_are_still_missing_from_the_goldens()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var expected = Directory.GetFiles(RepoPaths.Combine("tests", "Language.Tests", "Golden"), "*.expected").Select(File.ReadAllText).ToList();
        foreach (var gap in KnownGaps.Keys)
        {
            Assert.Contains(gap, ids);
            Assert.DoesNotContain(expected, text => text.Contains($" {gap}: ", StringComparison.Ordinal));
        }
    }
}
