namespace Tts.Serving.Tests;

/// <summary>Bad requests get a 4xx with OpenAI's error body naming the field, never a stack trace.</summary>
public sealed class BadRequestTests
{
    public static TheoryData<string, string> BadFields => new()
    {
        { """{"model":"abc","prompt":"a","temperature":-1}""", "temperature" },
        { """{"model":"abc","prompt":"a","top_p":0}""", "top_p" },
        { """{"model":"abc","prompt":"a","min_p":2}""", "min_p" },
        { """{"model":"abc","prompt":"a","n":0}""", "n" },
        { """{"model":"abc","prompt":"a","n":"two"}""", "n" },
        { """{"model":"abc","prompt":"a","max_tokens":100000}""", "max_tokens" },
        { """{"model":"abc"}""", "prompt" },
        { """{"model":"abc","prompt":{"text":"a"}}""", "prompt" },
        { """{"model":"abc","prompt":[0, "a"]}""", "prompt" },
        { """{"model":"abc","prompt":[0, 9]}""", "prompt" },
        { """{"model":"abc","prompt":"xyz"}""", "prompt" },
        { """{"model":"abc","prompt":"a","logprobs":5}""", "logprobs" },
        { """{"model":"abc","prompt":"a","logprobs":true}""", "logprobs" },
        { """{"model":"abc","prompt":"a","stop":["", "b"]}""", "stop" },
        { """{"model":"abc","prompt":"a","stop_token_ids":[7]}""", "stop_token_ids" },
        { """{"model":"abc","prompt":"a","allowed_token_ids":[]}""", "allowed_token_ids" },
        { """{"model":"abc","prompt":"a","logit_bias":{"x":1}}""", "logit_bias" },
        { """{"model":"abc","prompt":"a","stream":true}""", "stream" },
        { """{"model":"abc","prompt":"a","presence_penalty":0.5}""", "presence_penalty" },
        { """{"model":"abc","prompt":"a","seed":1.5}""", "seed" },
        { """{"prompt":"a"}""", "model" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_a_400_naming_it(string json, string param)
    {
        await using var server = await TestServer.StartAbcAsync();
        var (status, body) = await server.PostAsync("v1/completions", json);
        Assert.Equal(400, status);
        var error = body["error"]!;
        Assert.Equal(param, (string?)error["param"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.DoesNotContain("   at ", (string?)error["message"]);
        Assert.NotNull((string?)error["code"]);
    }

    [Fact]
    public async Task Unknown_model_is_404_and_malformed_json_400_and_oversized_body_413()
    {
        await using var server = await TestServer.StartAbcAsync(new ServerOptions { MaxRequestBodyBytes = 1024 });
        var (status, body) = await server.PostAsync("v1/completions", """{"model":"gpt-4","prompt":"a"}""");
        Assert.Equal(404, status);
        Assert.Equal("model_not_found", (string?)body["error"]!["code"]);
        Assert.Contains("abc", (string?)body["error"]!["message"]);

        (status, body) = await server.PostAsync("v1/completions", """{"model":"abc","prompt":""");
        Assert.Equal(400, status);
        Assert.Equal("invalid_json", (string?)body["error"]!["code"]);
        Assert.StartsWith("The request body is not valid JSON at line 1, position ", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", (string?)body["error"]!["message"], StringComparison.Ordinal);

        (status, body) = await server.PostAsync("v1/completions", $$"""{"model":"abc","prompt":"{{new string('a', 4000)}}"}""");
        Assert.Equal(413, status);
        Assert.Equal("request_too_large", (string?)body["error"]!["code"]);

        (status, body) = await server.PostAsync("v1/nothing", "{}");
        Assert.Equal(404, status);
        Assert.Equal("not_found", (string?)body["error"]!["code"]);
    }

    [Fact]
    public async Task More_sequences_than_the_batch_is_a_400()
    {
        await using var server = await TestServer.StartAbcAsync(new ServerOptions { MaxBatch = 4, MaxN = 8, MaxQueuedSequences = 4 });
        var (status, body) = await server.PostAsync("v1/completions", """{"model":"abc","prompt":"a","n":5}""");
        Assert.Equal(400, status);
        Assert.Equal("n", (string?)body["error"]!["param"]);
    }

    [Fact]
    public async Task Pooling_refuses_a_language_model_and_token_ids()
    {
        await using var server = await TestServer.StartAbcAsync();
        var (status, body) = await server.PostAsync("pooling", """{"model":"abc","input":"a"}""");
        Assert.Equal(400, status);
        Assert.Equal("model", (string?)body["error"]!["param"]);
    }
}
