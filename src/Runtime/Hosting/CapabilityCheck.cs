using Tts.Runtime.Execution;
using Tts.Semantics;

namespace Tts.Runtime.Hosting;

/// <summary>
/// Before a run: every statement's needs (<see cref="RunnableStrategy.CapabilityNeeds"/>) against the capabilities of
/// the model bound to its name. A mismatch is one error naming the statement, the model and what it lacks.
/// </summary>
public static class CapabilityCheck
{
    /// <summary>The first unmet need as a one-line message, or null when every bound model offers what is asked of it.</summary>
    public static string? FirstMismatch(RunnableStrategy strategy, ModelBindings models)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(models);
        foreach (var need in strategy.CapabilityNeeds)
        {
            if (!models.IsBound(need.Model))
            {
                continue;
            }

            var offered = models.Resolve(need.Model).Capabilities;
            var missing = need.Needs & ~offered;
            if (missing != ModelCapabilities.None)
            {
                return $"strategy '{strategy.Name}': {need.Statement} needs {Describe(missing)} ({need.Why}), " +
                       $"which the model bound to '{need.Model}' does not offer (it offers: {Describe(offered)})";
            }
        }

        return null;
    }

    /// <summary>Capabilities in words: "full next-token distributions, seeds".</summary>
    public static string Describe(ModelCapabilities capabilities)
    {
        if (capabilities == ModelCapabilities.None)
        {
            return "nothing";
        }

        var words = new List<string>();
        foreach (var flag in Enum.GetValues<ModelCapabilities>())
        {
            if (flag is not (ModelCapabilities.None or ModelCapabilities.All) && capabilities.HasFlag(flag))
            {
                words.Add(Word(flag));
            }
        }

        return string.Join(", ", words);
    }

    private static string Word(ModelCapabilities flag) => flag switch
    {
        ModelCapabilities.FullDistribution => "full next-token distributions",
        ModelCapabilities.SampledTokenLogProbs => "log-probabilities of sampled tokens",
        ModelCapabilities.TextScoring => "scoring of given text",
        ModelCapabilities.Masks => "token masks",
        ModelCapabilities.Seeds => "seeds",
        ModelCapabilities.SharedPrefix => "shared-prefix state",
        _ => flag.ToString(),
    };
}
