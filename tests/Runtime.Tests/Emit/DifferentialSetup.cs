using System.Globalization;
using System.Text;
using Tts.Compiler.IR;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;

namespace Tts.Runtime.Tests.Emit;

/// <summary>
/// Models and bindings the differential tests run programs on: character-level tabular models whose vocabulary covers
/// printable ASCII and newlines (so any prompt the examples build tokenizes), and deterministic rewards and verifiers.
/// </summary>
internal static class DifferentialSetup
{
    /// <summary>
    /// The policy (also bound as the speculative target) and a draft model over the same vocabulary with other
    /// probabilities (also bound as the proposal and the judge of the likelihood examples); the caller disposes the models.
    /// </summary>
    public static (ModelBindings Bindings, TabularModel[] Models) CharacterModels()
    {
        var policy = CharacterModel(new Dictionary<string, double> { ["a"] = 30, ["b"] = 20, ["c"] = 10, [" "] = 8, ["."] = 5, ["1"] = 5, ["\n"] = 5, ["<eos>"] = 10 }, "policy");
        var draft = CharacterModel(new Dictionary<string, double> { ["a"] = 20, ["b"] = 30, ["c"] = 15, [" "] = 5, ["\n"] = 10, ["<eos>"] = 15 }, "draft");
        return (new ModelBindings().Bind("policy", policy).Bind("target", policy).Bind("draft", draft).Bind("proposal", draft).Bind("judge", draft)
            .Bind("large", policy).Bind("small", draft), new[] { policy, draft });
    }

    /// <summary>prm, orm, value: Score rewards; valid, solved: verifiers — all pure functions of the text.</summary>
    public static FunctionBindings Functions() => new FunctionBindings()
        .BindReward("prm", DelegateReward.PerText(RewardKind.Score, t => 0.25 + t.Count(c => c == 'b') / (1.0 + t.Length)))
        .BindReward("orm", DelegateReward.PerText(RewardKind.Score, t => 1.0 / (1 + t.Length % 3)))
        .BindReward("value", DelegateReward.PerText(RewardKind.Score, t => 0.5 + 0.1 * t.Count(c => c == 'a')))
        .BindReward("r", DelegateReward.PerText(RewardKind.Score, t => 0.1 + t.Count(c => c == 'a') + 0.5 * t.Count(c => c == 'c')))
        .BindVerifier("valid", DelegateVerifier.PerText(t => t.Contains('b', StringComparison.Ordinal)))
        .BindVerifier("solved", DelegateVerifier.PerText(t => t.Length % 2 == 0))
        .BindVerifier("ok", DelegateVerifier.PerText(t => !t.EndsWith('c')));

    /// <summary>
    /// Each parameter's default, integers capped at 4 (particle counts, tries, widths: small keeps the tests fast);
    /// required text parameters get a prompt the models tokenize.
    /// </summary>
    public static Dictionary<string, object> Arguments(IrFunction function, string prompt = "ab") =>
        function.Parameters.ToDictionary(
            p => p.Name,
            p => p.DefaultValue switch
            {
                null when p.Type == Tts.Semantics.TtsType.Text => prompt,
                null => throw new InvalidOperationException($"no test value for required {p.Name}: {p.Type}"),
                long count => Math.Min(count, 4L),
                var value => value,
            });

    /// <summary>Order 1: the empty context from <paramref name="weights"/> (other characters share 7%), and two contexts of their own.</summary>
    private static TabularModel CharacterModel(Dictionary<string, double> weights, string name)
    {
        var vocabulary = Enumerable.Range(32, 95).Select(c => ((char)c).ToString()).Append("\n").Append("<eos>").ToList();
        var json = new StringBuilder();
        json.Append("{\"format\": \"tts-tabular-lm/1\", \"vocab\": [")
            .Append(string.Join(", ", vocabulary.Select(Quote)))
            .Append("], \"eos\": \"<eos>\", \"order\": 1, \"max_tokens\": 8, \"probs\": {")
            .Append("\"\": ").Append(Row(vocabulary, weights, 7)).Append(", ")
            .Append("\"a\": ").Append(Row(vocabulary, new Dictionary<string, double> { ["a"] = 10, ["b"] = 30, ["c"] = 10, ["."] = 5, ["<eos>"] = 30 }, 15)).Append(", ")
            .Append("\"b\": ").Append(Row(vocabulary, new Dictionary<string, double> { ["a"] = 20, ["b"] = 10, ["c"] = 20, ["\n"] = 10, ["<eos>"] = 25 }, 15))
            .Append("}}");
        return TabularModel.Parse(json.ToString(), name + ".json");
    }

    private static string Row(List<string> vocabulary, Dictionary<string, double> weights, double rest)
    {
        var others = vocabulary.Count(t => !weights.ContainsKey(t));
        var raw = vocabulary.Select(t => weights.TryGetValue(t, out var w) ? w : rest / others).ToList();
        var total = raw.Sum();
        return "[" + string.Join(", ", raw.Select(w => (w / total).ToString("R", CultureInfo.InvariantCulture))) + "]";
    }

    private static string Quote(string token) => "\"" + token.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
