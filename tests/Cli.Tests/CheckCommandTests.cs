using Tts.TestSupport;

namespace Tts.Cli.Tests;

public sealed class CheckCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-check-");

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => _folder.Write(name, text);

    [Fact]
    public void Clean_file_prints_signatures_and_guarantees()
    {
        var result = CliRunner.Run("check", RepoPaths.Combine("examples", "strategies", "sampling.tts"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("strategy sample_once(prompt: text = \"\", temperature: real = 1.0, top_k: int = 0, top_p: real = 1.0) -> text", result.Output, StringComparison.Ordinal);
        Assert.Contains("guarantee: exact", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_of_the_file_are_escaped_in_what_check_prints()
    {
        // An escape sequence in the file (here ESC[2J, "clear the screen") was echoed raw with the source line.
        var path = Write("escape.tts", "model policy: lm\nstrategy s(q: text) -> text {\n    return q + \"\u001b[2J\u2028\" + nope\n}\n");

        var result = CliRunner.Run("check", path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("TTS0103", result.Output, StringComparison.Ordinal);
        Assert.Contains("\\u001B[2J\\u2028", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Output);
        Assert.DoesNotContain('\u2028', result.Output);
        var lines = result.Output.Split('\n');
        var source = Array.FindIndex(lines, l => l.Contains("return q", StringComparison.Ordinal));
        Assert.Equal(lines[source].IndexOf("nope", StringComparison.Ordinal), lines[source + 1].IndexOf('^'));
        Assert.Equal("^^^^", lines[source + 1].Trim());
    }

    [Fact]
    public void With_models_the_guarantee_is_shown_for_them_and_unservable_statements_are_refused()
    {
        var path = Write("remote.tts", """
            model policy: lm
            reward prm: Score
            strategy plain() -> text {
                population xs = sample policy("a", n: 4, max_tokens: 3)
                return sample(xs)
            }
            strategy masked() -> population {
                population ps = spawn(4, prompt: "a")
                smc ps with resample = systematic, steps <= 2 {
                    extend ps by policy(stop: "c", max_tokens: 2, forbid: ["b"])
                    factor ps += log(prm(ps))
                }
                return ps
            }
            """);
        var tokenizer = Uri.EscapeDataString(RepoPaths.Combine("examples", "models", "abc.json"));

        // No server listens there: tts check reads the tokenizer only and sends nothing.
        var server = CliRunner.Run("check", path, "--model", $"policy=openai:http://127.0.0.1:9/v1?tokenizer={tokenizer}&sampling=server");
        Assert.Equal(0, server.ExitCode);
        Assert.Contains("  on policy:  exact, only for the law the server samples from (openai, server-side sampling", server.Output, StringComparison.Ordinal);
        Assert.Contains("  refused:   strategy 'masked': `extend` with `forbid` inside `smc` needs full next-token distributions", server.Output, StringComparison.Ordinal);
        Assert.Single(server.Output.Split('\n'), line => line.StartsWith("  refused:", StringComparison.Ordinal));

        var client = CliRunner.Run("check", path, "--model", $"policy=openai:http://127.0.0.1:9/v1?tokenizer={tokenizer}");
        Assert.Contains("  on policy:  exact, for the served model's law (openai, client-side sampling", client.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("refused:", client.Output, StringComparison.Ordinal);

        var local = CliRunner.Run("check", path, "--model", "policy=tabular:" + RepoPaths.Combine("examples", "models", "abc.json"));
        Assert.Contains("  on policy:  exact (in process)", local.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_error_is_located_coded_and_shown_with_the_line()
    {
        var path = Write("syntax.tts", "model policy: lm\nstrategy s(prompt: text) -> text {\n    population xs = sample policy(prompt)\n    return sample(xs\n}\n");
        var result = CliRunner.Run("check", path);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{path}(5,1): error TTS0001: unexpected '}}' in the call to sample; expected ')'", result.Output, StringComparison.Ordinal);
        Assert.Contains("    }\n    ^\n", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("1 error\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Type_error_is_located_and_coded()
    {
        var path = Write("types.tts", "model policy: lm\nstrategy s(prompt: text) -> text {\n    population xs = sample policy(prompt, n: 2)\n    return len(prompt)\n}\n");
        var result = CliRunner.Run("check", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}(4,12): error TTS0114: strategy 's' is declared to return text, but this expression is int", result.Output, StringComparison.Ordinal);
        Assert.Contains("           ^^^^^^^^^^^", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_example_strategy_checks_with_the_guarantee_its_family_has()
    {
        var expected = new Dictionary<string, string>
        {
            ["sampling.tts"] = "exact",
            ["rejection_sampling.tts"] = "exact exact",
            ["speculative.tts"] = "exact",
            ["particle_filter.tts"] = "consistent heuristic",
            ["smc_steering.tts"] = "consistent",
            ["twisted_smc.tts"] = "consistent",
            ["best_of_n.tts"] = "heuristic",
            ["majority_vote.tts"] = "heuristic",
            ["weighted_vote.tts"] = "heuristic heuristic",
            ["beam_search.tts"] = "heuristic",
            ["diverse_tree_search.tts"] = "heuristic",
            ["best_first_search.tts"] = "heuristic",
            ["first_finish.tts"] = "heuristic heuristic",
            ["refine.tts"] = "exact exact heuristic",
            ["composite.tts"] = "consistent consistent heuristic heuristic heuristic",
            ["importance_sampling.tts"] = "consistent",
            ["generative_verifier.tts"] = "consistent heuristic",
            ["adaptive_vote.tts"] = "heuristic heuristic",
            ["particle_gibbs.tts"] = "consistent",
            ["mcts.tts"] = "heuristic heuristic",
            ["entropic_particle_filter.tts"] = "heuristic",
            ["early_rejection.tts"] = "heuristic heuristic",
            ["confident_exit.tts"] = "exact heuristic heuristic",
            ["step_speculation.tts"] = "heuristic exact heuristic heuristic",
        };
        var files = Directory.GetFiles(RepoPaths.Combine("examples", "strategies"), "*.tts").Select(Path.GetFileName).ToList();
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), files.OrderBy(f => f, StringComparer.Ordinal));
        foreach (var (file, guarantees) in expected)
        {
            var result = CliRunner.Run("check", RepoPaths.Combine("examples", "strategies", file), "--format", "json");
            Assert.True(result.ExitCode == 0, $"{file}: {result.Output}");
            var strategies = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
                .Where(json => json.TryGetProperty("strategy", out _))
                .Select(json => json.GetProperty("guarantee").GetString())
                .ToList();
            Assert.True(guarantees == string.Join(" ", strategies), $"{file}: expected {guarantees}, got {string.Join(" ", strategies)}");
        }
    }

    [Fact]
    public void Json_format_prints_strategies_and_diagnostics_as_objects()
    {
        var clean = CliRunner.Run("check", RepoPaths.Combine("examples", "strategies", "particle_filter.tts"), "--format", "json");
        Assert.Equal(0, clean.ExitCode);
        var first = System.Text.Json.JsonDocument.Parse(clean.Output.Split('\n')[0]).RootElement;
        Assert.Equal("particle_filter", first.GetProperty("strategy").GetString());
        Assert.Equal("consistent", first.GetProperty("guarantee").GetString());
        Assert.Equal("consistent", first.GetProperty("claims").GetString());
        Assert.Equal("256 * n * steps", first.GetProperty("budget").GetProperty("tokens").GetString());
        Assert.Equal("256 * n * steps", first.GetProperty("declared_budget").GetProperty("tokens").GetString());
        Assert.Contains("reweighted by exp(log(prm(ps)) / tau)", first.GetProperty("target").GetString(), StringComparison.Ordinal);

        var path = Write("claims.tts", "model policy: lm\nstrategy s(p: text) -> text claims exact {\n    population xs = sample policy(p, n: 4)\n    return best(xs, by: len(xs))\n}\n");
        var broken = CliRunner.Run("check", path, "--format", "json");
        Assert.Equal(1, broken.ExitCode);
        var diagnostic = System.Text.Json.JsonDocument.Parse(broken.Output.Trim()).RootElement;
        Assert.Equal("TTS0132", diagnostic.GetProperty("code").GetString());
        Assert.Equal("error", diagnostic.GetProperty("severity").GetString());
        Assert.Equal(path, diagnostic.GetProperty("file").GetString());
        Assert.Equal(4, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal(12, diagnostic.GetProperty("column").GetInt32());
        Assert.StartsWith("strategy 's' claims exact, but this makes it heuristic", diagnostic.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_format_shows_the_static_budget_and_whether_it_runs()
    {
        var result = CliRunner.Run("check", RepoPaths.Combine("examples", "strategies", "best_of_n.tts"));
        Assert.Contains("  budget:    tokens <= 256 * n, calls <= 257, rewards <= 0", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("run:", result.Output, StringComparison.Ordinal);
        var file = _folder.Combine("unextended.tts");
        File.WriteAllText(file, """
            model policy: lm
            strategy s(q: text) -> population {
                population ps = spawn(2, prompt: q)
                return ps
            }
            """);
        Assert.Contains("  run:       not yet (`ps` is spawned but no smc or search block extends it", CliRunner.Run("check", file).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_with_an_unbound_reward_is_one_clear_line()
    {
        var result = CliRunner.Run("run", RepoPaths.Combine("examples", "strategies", "particle_filter.tts"), "--strategy", "particle_filter",
            "--model", $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}", "--prompt", "a");
        CliRunner.AssertOneLineError(result, "reward 'prm' is not bound");
    }

    [Fact]
    public void A_particle_filter_runs_the_same_at_O0_and_O1()
    {
        string Run(string level) => CliRunner.Run("run", RepoPaths.Combine("examples", "strategies", "particle_filter.tts"), "--strategy", "particle_filter",
            "--model", $"policy=tabular:{RepoPaths.Combine("examples", "models", "abc.json")}", "--prompt", "a", "--set", "n=8", "--samples", "20",
            "--bind", "prm=count(text, \"b\") + 1.0", "--format", "jsonl", "-O", level).Output;
        var o0 = Run("0");
        Assert.Equal(20, o0.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(o0, Run("1"));
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        CliRunner.AssertOneLineError(CliRunner.Run("check", _folder.Combine("absent.tts")), "file not found");
    }

    [Fact]
    public void Compile_dumps_each_stage()
    {
        var file = RepoPaths.Combine("examples", "strategies", "best_of_n.tts");
        Assert.Contains("CompilationUnitSyntax", CliRunner.Run("compile", file, "--emit", "ast").Output, StringComparison.Ordinal);
        Assert.Contains("BoundSampleStatement", CliRunner.Run("compile", file, "--emit", "bound").Output, StringComparison.Ordinal);
        Assert.Contains("select_best", CliRunner.Run("compile", file, "--emit", "ir").Output, StringComparison.Ordinal);
        var o0 = CliRunner.Run("compile", file, "--emit", "ir-opt", "-O", "0").Output;
        var o1 = CliRunner.Run("compile", file, "--emit", "ir-opt").Output;
        Assert.Contains("%7 = const \"\\n\"", o0, StringComparison.Ordinal);
        Assert.DoesNotContain("%7 = const \"\\n\"", o1, StringComparison.Ordinal);
        var csharp = CliRunner.Run("compile", file, "--emit", "cs").Output;
        Assert.Contains("public static class BestOfN", csharp, StringComparison.Ordinal);
        Assert.Contains("public static RunResult[] Run_best_of_n(", csharp, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_emit_stage_is_a_usage_error()
    {
        var result = CliRunner.Run("compile", "x.tts", "--emit", "llvm");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("tts: error: ", result.Error, StringComparison.Ordinal);
    }
}
