using System.Text.Json;
using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary><c>tts run --bind NAME=EXPR</c>: rewards, verifiers and extractors bound to expressions of the language.</summary>
public sealed class BindCommandTests : IDisposable
{
    private static readonly string Rejection = RepoPaths.Combine("examples", "strategies", "rejection_sampling.tts");
    private static readonly string Model = "policy=tabular:" + RepoPaths.Combine("examples", "models", "abc.json");
    private readonly string _folder = Directory.CreateTempSubdirectory("tts-bind-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<string?> Outputs(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        return result.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("output").GetString()).ToList();
    }

    [Fact]
    public void A_bound_verifier_runs_exactly_like_the_same_condition_written_inline()
    {
        var inline = Path.Combine(_folder, "inline.tts");
        File.WriteAllText(inline, """
            model policy: lm
            strategy s(question: text, tries: int = 16, temperature: real = 1.0) -> text {
                population drafts = sample policy(question, n: tries, temperature: temperature, max_tokens: 256)
                return first(drafts, where: ends_with(drafts, "b"), otherwise: "")
            }
            """);
        var bound = Outputs(CliRunner.Run("run", Rejection, "--strategy", "rejection_sampling", "--model", Model,
            "--bind", "valid=ends_with(text, \"b\")", "--prompt", "", "--samples", "200", "--seed", "5", "--format", "jsonl"));
        var written = Outputs(CliRunner.Run("run", inline, "--model", Model, "--prompt", "", "--samples", "200", "--seed", "5", "--format", "jsonl"));

        Assert.Equal(written, bound);
        Assert.All(bound, o => Assert.True(o == "" || o!.EndsWith('b'), o));
        Assert.Contains(bound, o => o != "");
    }

    /// <summary>A new user binds the shipped reward model as a model: the error says it is a reward and gives the --bind to type.</summary>
    [Fact]
    public void A_reward_given_to_model_is_one_line_with_the_bind_to_type()
    {
        var prm = RepoPaths.Combine("models", "arith-prm");
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", RepoPaths.Combine("examples", "eval", "best_of_n.tts"), "--model", Model, "--model", $"prm=transformer:{prm}", "--prompt", ""),
            $"the file declares no model 'prm' ('prm' is a reward: bind it with --bind prm=reward-model:{prm} or --bind prm=EXPR)");
    }

    [Fact]
    public void A_missing_binding_is_one_line_naming_the_option()
    {
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Rejection, "--strategy", "rejection_sampling", "--model", Model, "--prompt", ""),
            "verifier 'valid' is not bound: bind it with --bind valid=EXPR");
    }

    [Fact]
    public void Without_strategy_in_a_file_of_several_the_first_error_also_names_the_missing_binding()
    {
        var particleFilter = RepoPaths.Combine("examples", "strategies", "particle_filter.tts");
        var result = CliRunner.Run("run", particleFilter, "--model", Model, "--prompt", "");
        CliRunner.AssertOneLineError(result, "choose one with --strategy (particle_filter, particle_filter_best)");
        CliRunner.AssertOneLineError(result, "reward 'prm' is not bound: bind it with --bind prm=EXPR (an expression over `text`) or --bind prm=reward-model:DIR");

        // Bound, only the choice is left.
        Assert.DoesNotContain("not bound", CliRunner.Run("run", particleFilter, "--model", Model, "--prompt", "", "--bind", "prm=0.5").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_expression_is_one_line_with_its_code()
    {
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Rejection, "--strategy", "rejection_sampling", "--model", Model, "--prompt", "", "--bind", "valid=len(text)"),
            "--bind valid=...: TTS0114: verifier 'valid' gives bool, but this expression is int");
        CliRunner.AssertOneLineError(
            CliRunner.Run("run", Rejection, "--strategy", "rejection_sampling", "--model", Model, "--prompt", "", "--bind", "nope=true"),
            "the file declares no reward, verifier or extractor 'nope'");
    }

    [Fact]
    public void A_missing_parenthesis_is_reported_as_such_not_as_the_type_error_it_leads_to()
    {
        // `len(text` used to give "TTS0114: verifier 'valid' gives bool, but this expression is int".
        var result = CliRunner.Run("run", Rejection, "--strategy", "rejection_sampling", "--model", Model, "--prompt", "", "--bind", "valid=len(text");

        CliRunner.AssertOneLineError(result, "--bind valid=...: TTS0001: ");
        Assert.Contains("')'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TTS0114", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("'}'", result.Error, StringComparison.Ordinal);
    }
}
