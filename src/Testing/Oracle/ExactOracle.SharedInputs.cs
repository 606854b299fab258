namespace Tts.Testing.Oracle;

/// <summary>Laws over a random input shared by every particle: the mixture over the input's law.</summary>
public sealed partial class ExactOracle
{
    /// <summary>
    /// The law of a prompt: a point mass when it is known, the output law of the random value it is otherwise
    /// (<paramref name="shared"/> is then true). A prompt whose law is not enumerated, or that may be no output, is refused.
    /// </summary>
    private Distribution PromptLaw(Tts.Language.Binding.BoundTree.BoundExpression prompt, Frame frame, string what, out bool shared)
    {
        switch (Single(prompt, frame))
        {
            case Known { Value: string text }:
                shared = false;
                return Distribution.PointMass(text);
            case RandomValue { Output: { } output } when output.Outcomes.All(o => o.Value is string):
                shared = true;
                return output;
            default:
                throw new OracleException($"{what} is random with no enumerated law of texts; the oracle needs it fixed or enumerated");
        }
    }

    /// <summary>Σ_v P(v)·law(v) over the outcomes v of <paramref name="inputs"/>.</summary>
    private static Distribution Mixture(Distribution inputs, Func<string, Distribution> law) =>
        inputs.Count == 1
            ? law((string)inputs.Outcomes[0].Value!)
            : Distribution.FromMasses(inputs.Probabilities.SelectMany(input =>
                law((string)input.Key.Value!).Probabilities.Select(p => new KeyValuePair<Outcome, double>(p.Key, input.Value * p.Value))));
}
