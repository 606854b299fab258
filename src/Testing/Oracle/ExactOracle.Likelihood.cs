using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;

namespace Tts.Testing.Oracle;

/// <summary>Model likelihoods (<c>logp</c>) in the reference semantics, from the tabular model's next-token law directly.</summary>
public sealed partial class ExactOracle
{
    /// <summary>log p(text | after) under the model: both encoded by it, no EOS (a given string, not a finished text).</summary>
    private double TextLogProb(string modelName, string text, string after)
    {
        var model = Model(modelName);
        return SequenceLogProb(modelName, model.Encode(after), model.Encode(text));
    }

    /// <summary>
    /// logp per particle: a text form is computed from the particle's values; the particle form scores the particle's own
    /// generated tokens (EOS included when it ended with it), which the oracle knows inside smc enumeration only.
    /// </summary>
    private double ParticleLogProb(BoundLogProb logProb, LocalSymbol population, ParticleState? state, Func<BoundExpression, object> evaluate)
    {
        var after = (string)evaluate(logProb.After);
        if (logProb.Particles != population)
        {
            return TextLogProb(logProb.Model.Name, (string)evaluate(logProb.Text), after);
        }

        if (state is null)
        {
            throw new OracleException($"logp of the particles of '{population.Name}' needs their tokens, which the oracle follows inside smc blocks only");
        }

        var model = Model(logProb.Model.Name);
        var generated = state.Context[state.PromptLength..];
        var continuation = state.EndedWithEos ? [.. generated, model.Vocabulary.EosId] : generated;
        return SequenceLogProb(logProb.Model.Name, model.Encode(after), continuation);
    }

    private double SequenceLogProb(string modelName, int[] context, int[] continuation)
    {
        var model = Model(modelName);
        var history = context.ToList();
        var sum = 0.0;
        for (var position = 0; position < continuation.Length; position++)
        {
            sum += Math.Log(model.NextTokenProbabilities(history, position)[continuation[position]]);
            history.Add(continuation[position]);
        }

        return sum;
    }
}
