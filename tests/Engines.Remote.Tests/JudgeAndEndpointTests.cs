namespace Tts.Engines.Remote.Tests;

/// <summary>The generative judge's probabilities, exactly from the model's law; endpoint specs and their errors.</summary>
public sealed class JudgeAndEndpointTests : IDisposable
{
    private readonly string _tokenizer = TestModels.WriteFile();

    public void Dispose() => File.Delete(_tokenizer);

    [Fact]
    public void The_judge_gives_the_probability_of_its_answer_after_the_prompt()
    {
        var handler = new TabularServerHandler(TestModels.Tabular());
        var template = Uri.EscapeDataString("{text}");
        using var judge = GenerativeJudgeReward.Open($"http://judge.test/v1?tokenizer={Uri.EscapeDataString(_tokenizer)}&template={template}&answer=bb", handler: handler);

        // P(b | a) · P(b | b) = 0.2 · 0.5, P(b | b) · P(b | b), P(b | c) · P(b | b); "a" twice costs one request.
        var values = judge.Evaluate(["a", "b", "c", "a"]);
        Assert.Equal([0.1, 0.25, 0.1, 0.1], values.Select(v => Math.Round(v, 12)));
        Assert.Equal(3, handler.Received);
        Assert.All(handler.Bodies, b => Assert.True(b["echo"]!.GetValue<bool>()));
    }

    [Theory]
    [InlineData("http://h:8000/v1?tokenizer=t.json#served", "http://h:8000/v1", "served", 32)]
    [InlineData("https://h/v1/?tokenizer=DIR&concurrency=4", "https://h/v1", null, 4)]
    public void Specs_parse(string spec, string url, string? served, int concurrency)
    {
        var endpoint = RemoteEndpoint.Parse(spec);
        Assert.Equal(url, endpoint.BaseUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(served, endpoint.ServedModel);
        Assert.Equal(concurrency, endpoint.Concurrency);
        Assert.Equal(url + "/completions", endpoint.Resolve("completions").AbsoluteUri);
    }

    [Theory]
    [InlineData("http://h/v1", "add ?tokenizer=DIR")]
    [InlineData("ftp://h/v1?tokenizer=x", "is not an http(s) URL")]
    [InlineData("http://h/v1?tokenizer=x&concurrency=0", "concurrency=0 must be a whole number from 1 to 4096")]
    [InlineData("http://h/v1?tokenizer=x&colour=red", "unknown option 'colour'")]
    [InlineData("http://h/v1?tokenizer=x#", "the served model name after '#' is empty")]
    public void Bad_specs_are_one_line_errors(string spec, string expected)
    {
        var error = Assert.Throws<RemoteException>(() => RemoteEndpoint.Parse(spec));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_tokenizer_that_is_not_the_served_models_is_caught()
    {
        // The served model has one more token, with mass: the top-V answer either names an id outside the local
        // vocabulary or misses mass.
        const string bigger = """
            {"format": "tts-tabular-lm/1", "vocab": ["a", "b", "c", "\n", "<eos>", "d"], "eos": "<eos>", "order": 1, "max_tokens": 64,
             "probs": {"": [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]}}
            """;
        var server = Runtime.Models.Tabular.TabularModel.Parse(bigger, "bigger.json");
        using var remote = RemoteLanguageModel.Open($"http://h/v1?tokenizer={Uri.EscapeDataString(_tokenizer)}", new TabularServerHandler(server));
        using var state = remote.Start([[0]], [0]);
        var error = Assert.Throws<RemoteException>(() => state.NextLogProbs());
        Assert.Contains("?tokenizer=", error.Message, StringComparison.Ordinal);
    }
}
