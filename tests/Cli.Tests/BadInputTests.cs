using Tts.TestSupport;

namespace Tts.Cli.Tests;

/// <summary>Issue 17: inputs that crashed with a stack trace are one-line errors (or just work).</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempFolder _folder = new("tts-bad-input");

    private static string Abc => "policy=tabular:" + RepoPaths.Combine("examples", "models", "abc.json");

    private static string Example(string name) => RepoPaths.Combine("examples", "strategies", name);

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Issue 17: bad <c>--bind</c> expressions, each one line with its code or cause and the exit code of its kind (2 for
    /// what is refused before running, 3 for what fails while running): an invalid pattern (TTS0146), a catastrophically
    /// backtracking one (its time limit), newline and braces that would declare more strategies, a negative reward under
    /// `log` (it said only "the factor weight is NaN"), a division by the constant zero (TTS0121), and one by a zero the
    /// text computes (an unhandled DivideByZeroException, exit 134, from the bound verifier).
    /// </summary>
    [Theory]
    [InlineData("rejection_sampling", "valid=matches(text, \"(a\")", "TTS0146", 2)]
    [InlineData("rejection_sampling", "valid=matches(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\" + text, \"^(a+)+$\")", "ran past its 1 s limit", 3)]
    [InlineData("rejection_sampling", "valid=true\n}\nstrategy injected() -> int {\nreturn 1", "expected one expression over `text`", 2)]
    [InlineData("rejection_sampling", "valid=len(text) % 0 == 1", "--bind valid=...: TTS0121: this divides by the constant zero", 2)]
    [InlineData("rejection_sampling", "valid=len(text) % (len(text) - len(text)) == 1", "% 0: division by zero", 3)]
    [InlineData("particle_filter", "prm=-1.0", "log(prm(...)) is undefined: reward 'prm' gave -1", 3)]
    public void A_bad_bind_is_a_one_line_error(string strategy, string bind, string message, int exitCode)
    {
        var result = CliRunner.Run("run", Example(strategy + ".tts"), "--strategy", strategy, "--model", Abc, "--bind", bind, "--set", "question=a");

        CliRunner.AssertOneLineError(result, message);
        Assert.Equal(exitCode, result.ExitCode);
    }

    /// <summary>
    /// Issue 17: `tts check` reports, located and coded, an invalid pattern in a file (TTS0146 at the pattern), a constant
    /// int overflow (TTS0147; it wrapped around), and a static spend past the int range (TTS0134; it was printed as the
    /// largest int, a bound it does not meet).
    /// </summary>
    [Theory]
    [InlineData("return first(xs, where: matches(xs, \"(a\"), otherwise: \"\")", "(4,41): error TTS0146: \"(a\" is not a valid regular expression")]
    [InlineData("let big = 9223372036854775807 + 1\n    return p", "error TTS0147")]
    [InlineData("population ys = sample policy(p, n: 4611686018427387904, max_tokens: 4)\n    return sample(ys)",
        "error TTS0134: strategy 'r' can spend tokens <= more than 9223372036854775807 (past the int range), more than its budget tokens <= 100")]
    public void Check_reports_a_located_coded_error(string statement, string expected)
    {
        var file = _folder.Write("bad.tts", $$"""
            model policy: lm
            strategy r(p: text = "") -> text budget tokens <= 100 {
                population xs = sample policy(p, n: 2, max_tokens: 4)
                {{statement}}
            }
            """);

        var result = CliRunner.Run("check", file);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.OutputLines, l => l.Contains(expected, StringComparison.Ordinal));
        Assert.StartsWith(file + "(", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// A constant argument inlined into a callee that overflows or takes a modulo by zero with it: constant folding at -O1
    /// threw out of the compiler, so `tts check` of a valid program ended "tts: error: 9223372036854775807 * 4 overflows"
    /// (exit 2). The program checks; running it is the run error.
    /// </summary>
    [Theory]
    [InlineData("k * 4", "9223372036854775807", "9223372036854775807 * 4 overflows the int range")]
    [InlineData("5 % k", "0", "5 % 0: division by zero")]
    public void A_constant_argument_that_fails_in_the_callee_checks_and_fails_only_when_run(string body, string argument, string message)
    {
        var path = _folder.Write("inlined.tts", $$"""
            model policy: lm

            strategy f(k: int) -> int {
                return {{body}}
            }

            strategy s() -> int {
                return f({{argument}})
            }
            """);

        var check = CliRunner.Run("check", path);
        Assert.True(check.ExitCode == 0, check.Output + check.Error);

        var run = CliRunner.Run("run", path, "--strategy", "s", "--model", Abc);
        CliRunner.AssertOneLineError(run, message);
        Assert.Equal(3, run.ExitCode);
    }

    /// <summary>Issue 17: <c>tts eval --problems -3</c>, on a generated task and on a JSONL one, is one line before any work.</summary>
    [Fact]
    public void Eval_refuses_a_negative_problem_count()
    {
        var task = _folder.Write("task.jsonl", "{\"prompt\": \"\", \"answer\": \"a\"}\n");
        foreach (var taskName in new[] { "arithmetic", task })
        {
            var result = CliRunner.Run("eval", RepoPaths.Combine("examples", "eval", "single.tts"), "--task", taskName, "--model", Abc, "--problems", "-3", "--out", _folder.Combine("out"));
            CliRunner.AssertOneLineError(result, "--problems must be at least 1, but it is -3");
            Assert.False(Directory.Exists(_folder.Combine("out")), "a refused eval left its --out behind");
        }
    }

    /// <summary>
    /// Issue 17: deep `fork` nesting with <c>tts compile --emit ast</c> overflowed the stack. Past the nesting limit it is
    /// a located TTS0007; below it the AST prints (with the binder's error: forks do not nest), never a crash.
    /// </summary>
    [Theory]
    [InlineData(3000, "error TTS0007")]
    [InlineData(40, "CompilationUnitSyntax")]
    public void Compile_emit_ast_of_deeply_nested_forks_is_an_error_never_a_crash(int depth, string expected)
    {
        var path = _folder.Write($"forks{depth}.tts", "strategy s(p: text) -> text {\n" + string.Concat(Enumerable.Repeat("fork {\n", depth)) + "let x = p\n"
                                                 + string.Concat(Enumerable.Repeat("}\n", depth)) + "return p\n}\n");

        var result = CliRunner.Run("compile", path, "--emit", "ast");

        Assert.True(result.ExitCode == 1, result.Output + result.Error);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_one_strategy_prints_only_its_own_warnings()
    {
        var file = _folder.Write("two.tts", """
            model policy: lm

            strategy quiet(q: text) -> text {
                population xs = sample policy(q, max_tokens: 2)
                return sample(xs)
            }

            strategy noisy(q: text) -> text {
                population unused = sample policy(q, max_tokens: 2)
                population xs = sample policy(q, max_tokens: 2)
                return sample(xs)
            }
            """);

        var quiet = CliRunner.Run("run", file, "--strategy", "quiet", "--model", Abc, "--set", "q=a");
        Assert.True(quiet.ExitCode == 0, quiet.Error);
        Assert.DoesNotContain("TTS0200", quiet.Error, StringComparison.Ordinal);

        var noisy = CliRunner.Run("run", file, "--strategy", "noisy", "--model", Abc, "--set", "q=a");
        Assert.True(noisy.ExitCode == 0, noisy.Error);
        Assert.Contains("warning TTS0200: population 'unused'", noisy.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Jsonl_writes_a_returned_population_as_an_array_of_texts()
    {
        var result = CliRunner.Run("run", Example("smc_steering.tts"), "--model", Abc, "--format", "jsonl", "--set", "prompt=a");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = System.Text.Json.JsonDocument.Parse(result.OutputLines[0]);
        Assert.Equal(System.Text.Json.JsonValueKind.Array, json.RootElement.GetProperty("output").ValueKind);
    }

    [Fact]
    public void Jsonl_writes_nan_as_a_string()
    {
        var file = _folder.Write("nan.tts", """
            model policy: lm
            strategy s(p: text = "") -> real {
                let z = len(p) * 1.0
                return z / z
            }
            """);

        var result = CliRunner.Run("run", file, "--model", Abc, "--format", "jsonl");

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = System.Text.Json.JsonDocument.Parse(result.OutputLines[0]);
        Assert.Equal("NaN", json.RootElement.GetProperty("output").GetString());
    }

    [Fact]
    public void Int_overflow_at_run_time_is_an_error_not_a_wrap_around()
    {
        var file = _folder.Write("overflow.tts", """
            model policy: lm
            strategy s(p: text = "", k: int = 1) -> int {
                return k * 4 + len(p)
            }
            """);

        var result = CliRunner.Run("run", file, "--model", Abc, "--set", "k=9223372036854775807");

        CliRunner.AssertOneLineError(result, "9223372036854775807 * 4 overflows the int range");
    }

    /// <summary>Issue 17: a budget that evaluates below 0 read "run 0 spent 0 tokens, over its budget tokens &lt;= -512".</summary>
    [Fact]
    public void A_budget_that_evaluates_below_zero_is_an_error_naming_it()
    {
        var file = _folder.Write("budget.tts", """
            model policy: lm
            strategy s(prompt: text = "", n: int = 1) -> text
                budget tokens <= 256 * n
            {
                population xs = sample policy(prompt, n: 1, max_tokens: 4)
                return sample(xs)
            }
            """);

        var result = CliRunner.Run("run", file, "--model", Abc, "--set", "n=-2");

        CliRunner.AssertOneLineError(result, "run 0: its budget on tokens is -512 (the budget clause evaluated with the run's arguments); a budget must be at least 0");
        Assert.DoesNotContain("spent", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_particle_count_beyond_the_runtime_is_refused_before_allocating()
    {
        var result = CliRunner.Run("run", Example("rejection_sampling.tts"), "--strategy", "reject_c", "--model", Abc, "--set", "tries=2147483647");

        CliRunner.AssertOneLineError(result, "n = 2147483647 particles per run");
    }

    [Fact]
    public void Test_refuses_a_smallest_deviation_of_zero()
    {
        var result = CliRunner.Run("test", Example("sampling.tts"), "--model", Abc, "--smallest-deviation", "0");

        CliRunner.AssertOneLineError(result, "--smallest-deviation must be in (0, 1]");
    }

    [Fact]
    public void Repeat_of_a_strategy_that_may_give_no_output_runs()
    {
        var file = _folder.Write("repeat.tts", """
            model policy: lm
            strategy f(p: text = "") -> text {
                population xs = sample policy(p, n: 1, max_tokens: 2)
                return first(xs, where: contains(xs, "c"))
            }
            strategy r(p: text = "") -> text {
                population rs = repeat(2, f(p))
                return sample(rs)
            }
            """);

        var result = CliRunner.Run("run", file, "--strategy", "r", "--model", Abc, "--samples", "200");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("(no output)", result.Output, StringComparison.Ordinal);
    }
}
