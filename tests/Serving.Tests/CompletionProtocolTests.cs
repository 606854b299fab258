using System.Text.Json.Nodes;

namespace Tts.Serving.Tests;

/// <summary>Request and response shapes of /v1/completions through real HTTP, on the abc tabular model (vocab a, b, c, &lt;eos&gt;).</summary>
public sealed class CompletionProtocolTests
{
    [Fact]
    public async Task Health_and_models_list_the_served_names()
    {
        await using var server = await TestServer.StartAbcAsync();
        var health = await server.GetAsync("health");
        Assert.Equal("ok", (string?)health["status"]);

        var models = await server.GetAsync("v1/models");
        Assert.Equal("list", (string?)models["object"]);
        var entry = Assert.Single(models["data"]!.AsArray())!;
        Assert.Equal("abc", (string?)entry["id"]);
        Assert.Equal("model", (string?)entry["object"]);
        Assert.Equal(4, (int)entry["vocab_size"]!);
        Assert.Equal(3, (int)entry["eos_token_id"]!);
    }

    [Fact]
    public async Task A_completion_has_the_openai_shape_with_usage_and_logprobs()
    {
        await using var server = await TestServer.StartAbcAsync();
        var body = await server.CompleteAsync(new { model = "abc", prompt = "a", max_tokens = 3, n = 2, seed = 7, logprobs = 2 });

        Assert.StartsWith("cmpl-", (string?)body["id"]);
        Assert.Equal("text_completion", (string?)body["object"]);
        Assert.Equal("abc", (string?)body["model"]);
        var choices = body["choices"]!.AsArray();
        Assert.Equal([0, 1], choices.Select(c => (int)c!["index"]!));
        var completionTokens = 0;
        foreach (var choice in choices)
        {
            var text = (string)choice!["text"]!;
            var logprobs = choice["logprobs"]!;
            var tokens = logprobs["tokens"]!.AsArray().Select(t => (string)t!).ToList();
            completionTokens += tokens.Count;
            Assert.InRange(tokens.Count, 1, 3);
            Assert.Equal(tokens.Count, logprobs["token_logprobs"]!.AsArray().Count);
            Assert.Equal(tokens.Count, logprobs["top_logprobs"]!.AsArray().Count);
            Assert.Equal(tokens.Count, logprobs["text_offset"]!.AsArray().Count);
            // The text is the tokens up to EOS; an EOS token ends with "stop", three tokens without it with "length".
            Assert.Equal(string.Concat(tokens.Where(t => t != "<eos>")), text);
            Assert.Equal(tokens[^1] == "<eos>" ? "stop" : "length", (string?)choice["finish_reason"]);
            // Top alternatives: the chosen token plus up to 2 more, each a log-probability ≤ 0.
            foreach (var top in logprobs["top_logprobs"]!.AsArray())
            {
                Assert.InRange(top!.AsObject().Count, 2, 3);
                Assert.All(top.AsObject(), entry => Assert.True((double)entry.Value! <= 0.0));
            }
        }

        var usage = body["usage"]!;
        Assert.Equal(1, (int)usage["prompt_tokens"]!);
        Assert.Equal(completionTokens, (int)usage["completion_tokens"]!);
        Assert.Equal(completionTokens + 1, (int)usage["total_tokens"]!);
    }

    [Fact]
    public async Task Full_vocabulary_logprobs_are_the_models_exact_next_token_law()
    {
        await using var server = await TestServer.StartAbcAsync();
        // After "b" the model's law is [0.1, 0.6, 0.2, 0.1]; the first generated position continues the prompt "b".
        var body = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 1, logprobs = 4, seed = 1 });
        var top = body["choices"]![0]!["logprobs"]!["top_logprobs"]![0]!.AsObject();
        Assert.Equal(4, top.Count);
        Assert.Equal(["<eos>", "a", "b", "c"], top.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(Math.Log(0.6), (double)top["b"]!, 12);
        Assert.Equal(Math.Log(0.2), (double)top["c"]!, 12);
        Assert.Equal(Math.Log(0.1), (double)top["a"]!, 12);
        Assert.Equal(Math.Log(0.1), (double)top["<eos>"]!, 12);
    }

    [Fact]
    public async Task Processed_logprobs_describe_the_tempered_law_the_token_was_drawn_from()
    {
        await using var server = await TestServer.StartAbcAsync();
        var body = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 1, logprobs = 4, temperature = 0.5, seed = 3 });
        var top = body["choices"]![0]!["logprobs"]!["top_logprobs"]![0]!.AsObject();
        // p^(1/T) normalized, T = 0.5: squares of [0.1, 0.6, 0.2, 0.1] over their sum 0.42.
        Assert.Equal(Math.Log(0.36 / 0.42), (double)top["b"]!, 12);
        Assert.Equal(Math.Log(0.01 / 0.42), (double)top["a"]!, 12);
    }

    [Fact]
    public async Task Token_id_prompts_and_prompt_lists_give_prompt_major_choices()
    {
        await using var server = await TestServer.StartAbcAsync();
        var ids = await server.CompleteAsync(new { model = "abc", prompt = new[] { 0, 1 }, max_tokens = 2, seed = 5, echo = true, return_token_ids = true });
        var choice = ids["choices"]![0]!;
        Assert.StartsWith("ab", (string)choice["text"]!);
        Assert.Equal([0, 1], choice["prompt_token_ids"]!.AsArray().Select(t => (int)t!));
        Assert.Equal(2, (int)ids["usage"]!["prompt_tokens"]!);

        var lists = await server.CompleteAsync(new { model = "abc", prompt = new[] { new[] { 0 }, new[] { 2, 2 } }, n = 3, max_tokens = 2, seed = 5, echo = true });
        var texts = lists["choices"]!.AsArray().Select(c => (string)c!["text"]!).ToList();
        Assert.Equal(6, texts.Count);
        Assert.All(texts.Take(3), t => Assert.StartsWith("a", t));
        Assert.All(texts.Skip(3), t => Assert.StartsWith("cc", t));

        var strings = await server.CompleteAsync(new { model = "abc", prompt = new[] { "a", "cc" }, max_tokens = 2, seed = 5 });
        Assert.Equal(2, strings["choices"]!.AsArray().Count);
        Assert.Equal(3, (int)strings["usage"]!["prompt_tokens"]!);
    }

    [Fact]
    public async Task The_same_request_and_seed_give_the_same_completions()
    {
        await using var server = await TestServer.StartAbcAsync();
        var request = new { model = "abc", prompt = "", max_tokens = 4, n = 16, seed = 12345, temperature = 0.9, top_p = 0.95, logprobs = 1 };
        var first = await server.CompleteAsync(request);
        var second = await server.CompleteAsync(request);
        Assert.Equal(first["choices"]!.ToJsonString(), second["choices"]!.ToJsonString());
        var texts = first["choices"]!.AsArray().Select(c => (string)c!["text"]!).Distinct().Count();
        Assert.True(texts > 1, "16 draws of a 4-token law should not all be equal");
    }

    [Fact]
    public async Task Echo_and_prompt_logprobs_score_the_prompt_under_the_model()
    {
        await using var server = await TestServer.StartAbcAsync();
        var body = await server.CompleteAsync(new { model = "abc", prompt = "ab", max_tokens = 0, echo = true, logprobs = 1, prompt_logprobs = 1 });
        var choice = body["choices"]![0]!;
        Assert.Equal("ab", (string?)choice["text"]);
        Assert.Equal("length", (string?)choice["finish_reason"]);
        var logprobs = choice["logprobs"]!;
        Assert.Equal(["a", "b"], logprobs["tokens"]!.AsArray().Select(t => (string)t!));
        Assert.Null(logprobs["token_logprobs"]![0]);
        Assert.Equal(Math.Log(0.2), (double)logprobs["token_logprobs"]![1]!, 12); // p(b | a)
        Assert.Equal([0, 1], logprobs["text_offset"]!.AsArray().Select(t => (int)t!));

        // vLLM's shape: null, then per position {"id": {"logprob", "rank", "decoded_token"}}.
        var prompt = choice["prompt_logprobs"]!.AsArray();
        Assert.Null(prompt[0]);
        var position = prompt[1]!.AsObject();
        Assert.Equal(Math.Log(0.2), (double)position["1"]!["logprob"]!, 12);
        Assert.Equal("b", (string?)position["1"]!["decoded_token"]);
        Assert.Equal(2, (int)position["1"]!["rank"]!); // after "a", <eos> (0.4) is likelier; a, b, c tie at 0.2
        Assert.Equal(Math.Log(0.4), (double)position["3"]!["logprob"]!, 12);
        Assert.Equal(1, (int)position["3"]!["rank"]!);
    }

    [Fact]
    public async Task Stop_strings_and_stop_tokens_end_a_choice_with_stop_reason()
    {
        await using var server = await TestServer.StartAbcAsync();
        // Greedy after "b" is b, b, ...: "bb" is a stop string the second token completes.
        var cut = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 4, temperature = 0, stop = new[] { "bb", "zz" } });
        Assert.Equal("", (string?)cut["choices"]![0]!["text"]);
        Assert.Equal("stop", (string?)cut["choices"]![0]!["finish_reason"]);
        Assert.Equal("bb", (string?)cut["choices"]![0]!["stop_reason"]);

        var kept = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 4, temperature = 0, stop = "bb", include_stop_str_in_output = true });
        Assert.Equal("bb", (string?)kept["choices"]![0]!["text"]);

        var token = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 4, temperature = 0, stop_token_ids = new[] { 1 } });
        Assert.Equal("", (string?)token["choices"]![0]!["text"]);
        Assert.Equal(1, (int)token["choices"]![0]!["stop_reason"]!);
        Assert.Equal(1, (int)token["usage"]!["completion_tokens"]!);

        var length = await server.CompleteAsync(new { model = "abc", prompt = "b", max_tokens = 3, temperature = 0 });
        Assert.Equal("bbb", (string?)length["choices"]![0]!["text"]);
        Assert.Equal("length", (string?)length["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Allowed_token_ids_and_logit_bias_reshape_the_law()
    {
        await using var server = await TestServer.StartAbcAsync();
        var allowed = await server.CompleteAsync(new { model = "abc", prompt = "", max_tokens = 4, n = 32, seed = 2, allowed_token_ids = new[] { 2, 3 }, return_tokens_as_token_ids = true, logprobs = 0 });
        foreach (var choice in allowed["choices"]!.AsArray())
        {
            Assert.All((string)choice!["text"]!, c => Assert.Equal('c', c));
            Assert.All(choice["logprobs"]!["tokens"]!.AsArray(), t => Assert.Contains((string)t!, new[] { "token_id:2", "token_id:3" }));
        }

        // A bias of -100 on every token but c makes c certain (to e^-100).
        var biased = await server.CompleteAsync(new { model = "abc", prompt = "", max_tokens = 2, temperature = 0, logit_bias = new Dictionary<string, int> { ["0"] = -100, ["1"] = -100, ["3"] = -100 } });
        Assert.Equal("cc", (string?)biased["choices"]![0]!["text"]);
    }
}
