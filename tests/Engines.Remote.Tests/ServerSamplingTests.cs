using Tts.Runtime.Execution;
using Tts.Runtime.Models;
using Tts.Semantics;
using Tts.Serving;

namespace Tts.Engines.Remote.Tests;

/// <summary>
/// Server-side sampling (<c>?sampling=server</c>) against tts serve on loopback: the server draws whole continuations;
/// a seeded rerun repeats them; a faulty proxy loses and duplicates nothing; statements that need full distributions
/// are refused at the statement.
/// </summary>
public sealed class ServerSamplingTests : IAsyncLifetime
{
    /// <summary>Families whose needs a server-sampling backend meets: plain sampling, a race, smc without forbid.</summary>
    public const string Program = """
        model policy: lm
        reward prm: Score

        strategy plain(n: int = 6) -> population {
            population xs = sample policy("c", n: n, temperature: 0.8, top_p: 0.9, max_tokens: 6)
            return xs
        }

        strategy racing(n: int = 5) -> population {
            population xs = race policy("a", n: n, stop: "\n", max_tokens: 6) first 2
            return xs
        }

        strategy budgeted(n: int = 4) -> population budget tokens <= 6 {
            population xs = sample policy("c", n: n, max_tokens: 6)
            return xs
        }

        strategy smc_plain(n: int = 6) -> population {
            population ps = spawn(n, prompt: "a")
            smc ps with resample = systematic, ess < 0.7, steps <= 3 {
                extend ps by policy(stop: "\n", max_tokens: 3)
                factor ps += log(prm(ps))
            }
            return ps
        }
        """;

    private TinyServer? _tiny;

    public async Task InitializeAsync() => _tiny = await TinyServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_tiny is not null)
        {
            await _tiny.DisposeAsync();
        }
    }

    private RemoteLanguageModel Client(Uri server, string options = "") => _tiny!.Client(server, "&sampling=server" + options);

    [Theory]
    [InlineData("plain")]
    [InlineData("racing")]
    [InlineData("smc_plain")]
    public void A_seeded_rerun_repeats_the_server_draws_and_another_seed_changes_them(string name)
    {
        using var remote = Client(_tiny!.Uri);
        var first = Run(name, remote, new RunOptions(Seed: 23, Runs: 4));
        var rerun = Run(name, remote, new RunOptions(Seed: 23, Runs: 4));
        var other = Run(name, remote, new RunOptions(Seed: 24, Runs: 4));
        Assert.Equal(first, rerun);
        Assert.NotEqual(first, other);
        Assert.All(first, text => Assert.DoesNotContain("<eos>", text, StringComparison.Ordinal));
        Assert.Equal(0, remote.Client.Usage.Retries);
    }

    [Fact]
    public void Rows_of_one_context_share_one_request_with_n_choices()
    {
        using var remote = Client(_tiny!.Uri);
        Run("plain", remote, new RunOptions(Seed: 5, Runs: 3));
        Assert.Equal(3, remote.Client.Usage.Requests);
    }

    [Fact]
    public void A_run_spends_the_tokens_the_server_reports_generating_a_race_s_cut_losers_included()
    {
        using var remote = Client(_tiny!.Uri);
        var strategy = Strategies.Compile("racing", Program);
        var results = strategy.Run(strategy.Arguments(), new ModelBindings().Bind("policy", remote), Strategies.Functions(), new RunOptions(Seed: 8, Runs: 5)).ToList();
        Assert.True(remote.Client.Usage.CompletionTokens > 0);
        Assert.Equal(remote.Client.Usage.CompletionTokens, results.Sum(r => r.Spent.Tokens));

        // The prefill, and one round of requests for the whole race (in process: one call per token step).
        Assert.All(results, r => Assert.Equal(2, r.Spent.ModelCalls));
    }

    [Fact]
    public void A_token_budget_stops_a_run_whose_server_usage_overruns_it()
    {
        using var remote = Client(_tiny!.Uri);
        var error = Assert.Throws<RuntimeException>(() => Run("budgeted", remote, new RunOptions(Seed: 2, Runs: 1)));
        Assert.Matches(@"^run 0 spent \d+ tokens, over its budget tokens <= 6$", error.Message);
        Assert.Single(Run("budgeted", remote, new RunOptions(Seed: 2, Runs: 1), new Dictionary<string, object> { ["n"] = 1L }));
    }

    [Fact]
    public async Task Behind_a_faulty_proxy_every_run_completes_once_with_unchanged_outputs()
    {
        var options = new RunOptions(Seed: 3, Runs: 3);
        List<string> expected;
        long cleanRequests;
        using (var direct = Client(_tiny!.Uri))
        {
            expected = Run("smc_plain", direct, options);
            cleanRequests = direct.Client.Usage.Requests;
        }

        // Of every 10 requests: one dropped, one refused, one cut off, one delayed past the client's timeout.
        Fault FaultOf(int number) => (number % 10) switch
        {
            1 => Fault.Drop,
            4 => Fault.Unavailable,
            6 => Fault.Truncate,
            8 => Fault.Delay,
            _ => Fault.None,
        };
        await using var proxy = new FaultProxy(_tiny.Uri, FaultOf, delay: TimeSpan.FromSeconds(1.5));
        using var remote = Client(proxy.Uri, "&timeout=1&retries=8");
        var actual = Run("smc_plain", remote, options);
        Assert.Equal(expected, actual);
        Assert.Equal(cleanRequests, remote.Client.Usage.Requests);
        Assert.Equal(proxy.Requests - cleanRequests, remote.Client.Usage.Retries);
        Assert.True(remote.Client.Usage.Retries >= 4, $"only {remote.Client.Usage.Retries} faults were met");
    }

    [Fact]
    public void Statements_that_need_full_distributions_are_refused_at_the_statement()
    {
        using var remote = Client(_tiny!.Uri);
        Assert.Equal(ModelCapabilities.SampledTokenLogProbs | ModelCapabilities.Seeds, remote.Capabilities);
        var smcMask = Assert.Throws<RuntimeException>(() => Strategies.Run("pf", remote, new RunOptions()));
        Assert.StartsWith("strategy 'pf': `extend` with `forbid` inside `smc` needs full next-token distributions", smcMask.Message, StringComparison.Ordinal);
        Assert.EndsWith("(it offers: log-probabilities of sampled tokens, seeds)", smcMask.Message, StringComparison.Ordinal);
        var speculative = Assert.Throws<RuntimeException>(() => Strategies.Run("spec", remote, new RunOptions()));
        Assert.StartsWith("strategy 'spec': `speculative` (its target) needs full next-token distributions", speculative.Message, StringComparison.Ordinal);
        Assert.Equal(0, remote.Client.Usage.Requests);
    }

    [Fact]
    public void An_unknown_sampling_mode_is_one_clear_error()
    {
        var error = Assert.Throws<RemoteException>(() => RemoteEndpoint.Parse("http://x/v1?tokenizer=t.json&sampling=both"));
        Assert.Contains("sampling=both must be client", error.Message, StringComparison.Ordinal);
    }

    public static List<string> Run(string name, ILanguageModel policy, RunOptions options, IReadOnlyDictionary<string, object>? arguments = null)
    {
        var strategy = Strategies.Compile(name, Program);
        return strategy.Run(strategy.Arguments(arguments), new ModelBindings().Bind("policy", policy), Strategies.Functions(), options)
            .Select(r => $"{r.Run}: " + (r.Output is object[] texts ? string.Join(" | ", texts) : r.Output?.ToString()))
            .ToList();
    }
}
