using FsCheck;
using FsCheck.Fluent;
using Tts.Runtime.Sampling;
using Tts.Testing.Generators;
using Tts.Testing.Oracle;

namespace Tts.Testing.Tests.Oracle;

/// <summary>The oracle's decoding laws against independent computations, exactly.</summary>
public sealed class DecodeLawTests
{
    private static Config Replayed(int maxTest, ulong seed) =>
        Config.QuickThrowOnFailure.WithReplay(seed, 0x9E3779B97F4A7C15UL).WithMaxTest(maxTest).WithQuietOnSuccess(true);

    [Fact]
    public void SampleText_AtDefaultOptions_IsTheModelsExactTextLaw_OnRandomModels()
    {
        Prop.ForAll(TabularModelGenerators.Arbitrary, spec =>
        {
            var model = spec.ToModel();
            foreach (var prompt in new[] { "", spec.Tokens[0] })
            {
                var law = DecodeLaw.SampleText(model, prompt, StepOptions.Default);
                var reference = model.ExactTextLaw(prompt);
                Assert.Equal(reference.Count, law.Count);
                foreach (var (text, p) in reference)
                {
                    Assert.Equal(p, law.Probability(text), 1e-12);
                }
            }
        }).Check(Replayed(200, 71));
    }

    [Fact]
    public void ReferenceTransform_AgreesWithTheRuntimesReference_OnRandomRowsAndOptions()
    {
        var rows = from size in Gen.Choose(2, 6)
                   from weights in Gen.ArrayOf(Gen.Choose(0, 9), size)
                   where weights.Sum() > 0
                   from temperature in Gen.Elements(0.0, 0.3, 1.0, 1.7)
                   from topK in Gen.Choose(0, size)
                   from topP in Gen.Elements(1.0, 0.95, 0.7, 0.33)
                   from minP in Gen.Elements(0.0, 0.05, 0.3)
                   select (Row: weights.Select(w => w / (double)weights.Sum()).ToArray(), Options: new SamplingOptions(temperature, topK, topP, minP));
        var checkedCases = 0;
        Prop.ForAll(rows.ToArbitrary(), c =>
        {
            double[] mine;
            try
            {
                mine = ReferenceTransform.Apply(c.Row, c.Options);
            }
            catch (OracleException)
            {
                return; // a boundary within rounding of a decision: both readings are right
            }

            var runtime = TokenSampler.TransformedLogProbsReference(Array.ConvertAll(c.Row, Math.Log), c.Options);
            for (var i = 0; i < mine.Length; i++)
            {
                Assert.Equal(Math.Exp(runtime[i]), mine[i], 1e-12);
            }

            checkedCases++;
        }).Check(Replayed(500, 72));
        Assert.True(checkedCases > 400, $"only {checkedCases} cases were well-conditioned");
    }

    [Fact]
    public void SampleText_CutsBeforeTheEarliestStop_AndStopsAtMaxTokens()
    {
        var model = TestModels.Abc();
        var law = DecodeLaw.SampleText(model, "", StepOptions.Default with { Stop = ["c"], MaxTokens = 2 });

        // Texts: at most two tokens; a "c" ends the text before it.
        Assert.All(law.Probabilities.Keys, o => Assert.DoesNotContain("c", (string)o.Value!, StringComparison.Ordinal));
        Assert.All(law.Probabilities.Keys, o => Assert.True(((string)o.Value!).Length <= 2));
        Assert.Equal(0.1 + 0.1, law.Probability(""), 1e-12); // c first, or EOS first
        Assert.Equal(0.5 * 0.2 + 0.5 * 0.4, law.Probability("a"), 1e-12); // a then c or EOS
        Assert.Equal(0.5 * 0.2, law.Probability("aa"), 1e-12);
    }

    [Fact]
    public void Forbid_MasksTokensContainingTheText_AndRenormalizes()
    {
        var model = TestModels.Abc();
        var law = DecodeLaw.SampleText(model, "", StepOptions.Default with { Forbid = ["c"], MaxTokens = 1 });
        Assert.Equal(0.5 / 0.9, law.Probability("a"), 1e-12);
        Assert.Equal(0.3 / 0.9, law.Probability("b"), 1e-12);
        Assert.Equal(0.1 / 0.9, law.Probability(""), 1e-12);
    }
}
