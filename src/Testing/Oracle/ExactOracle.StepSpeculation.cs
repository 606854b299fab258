using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;

namespace Tts.Testing.Oracle;

/// <summary>
/// Two-model step speculation in the reference semantics: a <c>reextend</c> after the <c>extend</c> that drafted a step
/// keeps each drafted branch with its acceptance probability and, with the rest of its mass, redraws the step from the
/// redrawing model's step law after the branch's parent (the state before the step).
/// </summary>
public sealed partial class ExactOracle
{
    /// <summary>Each drafted branch's state before the step (by reference): what reextend rolls back to and step_logp scores after.</summary>
    private readonly Dictionary<ParticleState, ParticleState> _stepParents = new(ReferenceEqualityComparer.Instance);

    private void RecordStep(ParticleState child, ParticleState parent) => _stepParents[child] = parent;

    private ParticleState ParentOf(ParticleState? state, string what) =>
        state is not null && _stepParents.TryGetValue(state, out var parent)
            ? parent
            : throw new OracleException($"{what} reads the step an extend of this smc step gave, which the oracle follows inside smc blocks only");

    private List<(ParticleState State, double Mass, double LogWeight)> Reextend(
        BoundReextendStatement reextend, List<(ParticleState State, double Mass, double LogWeight)> branches, LocalSymbol population, Frame frame,
        Dictionary<LocalSymbol, BoundExpression> lets)
    {
        var model = Model(reextend.Model.Name);
        var options = Options(reextend.Options, frame);
        var result = new List<(ParticleState, double, double)>();
        foreach (var (state, mass, logWeight) in branches)
        {
            var parent = ParentOf(state, "reextend");
            double redraw;
            if (reextend.Condition is { } condition)
            {
                redraw = (bool)PerParticle(condition, frame, population, state.Text, lets, state) ? 1.0 : 0.0;
            }
            else
            {
                var a = ToDouble(PerParticle(reextend.Acceptance!, frame, population, state.Text, lets, state));
                if (reextend.LogBound is not null && a > 1.0 && mass > 0.0)
                {
                    throw new OracleException(
                        $"the acceptance probability of reextend is {a} > 1 after {Quote(state.Text)}: the bound does not bound the step's likelihood ratio, and the runtime refuses such a run");
                }

                redraw = 1.0 - Math.Clamp(a, 0.0, 1.0);
            }

            if (redraw < 1.0)
            {
                result.Add((state, mass * (1.0 - redraw), logWeight));
            }

            if (redraw > 0.0)
            {
                foreach (var (child, p) in DecodeLaw.Step(model, parent, options, renormalizeMask: false, cutAtStop: false))
                {
                    RecordStep(child, parent);
                    result.Add((child, mass * redraw * p, logWeight));
                }
            }
        }

        return result;
    }

    /// <summary>step_logp: the model's log-probability of the particle's last step (EOS included) after its state before it.</summary>
    private double StepLogProb(BoundStepLogProb stepLogProb, ParticleState? state)
    {
        var parent = ParentOf(state, "step_logp");
        var model = Model(stepLogProb.Model.Name);
        var step = state!.Context[parent.Context.Length..];
        var continuation = state.EndedWithEos ? [.. step, model.Vocabulary.EosId] : step;
        return SequenceLogProb(stepLogProb.Model.Name, parent.Context, continuation);
    }

    private static string Quote(string text) => Tts.Semantics.Constants.Format(text);
}
