using FsCheck;
using FsCheck.Fluent;

namespace Tts.Testing.Generators;

/// <summary>FsCheck generators of log-weights and prompts for property tests of weighting and resampling code.</summary>
public static class WeightGenerators
{
    /// <summary>
    /// N log-weights: finite values over a random spread, about one in six −∞ (a dead particle), some exact ties,
    /// and sometimes an offset of ±1000 so that exp would overflow without a max shift.
    /// </summary>
    public static Gen<double[]> LogWeights(int particles) =>
        from scale in Gen.Choose(-3, 3)
        from offset in Gen.Elements(0.0, 0.0, 0.0, 1000.0, -1000.0)
        from kinds in Gen.ArrayOf(Gen.Choose(0, 5), particles)
        from values in Gen.ArrayOf(Gen.Choose(-1000, 1000), particles)
        select kinds.Select((kind, i) => kind switch
        {
            0 => double.NegativeInfinity,
            1 when i > 0 => offset + Math.Exp(scale) * values[i - 1] / 1000.0,
            _ => offset + Math.Exp(scale) * values[i] / 1000.0,
        }).ToArray();

    /// <summary>Prompts over the given tokens (concatenations of 0 to 3 of them).</summary>
    public static Gen<string> Prompt(IReadOnlyList<string> tokens) =>
        Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Elements(tokens.ToArray()), n)).Select(string.Concat);
}
