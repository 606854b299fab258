using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Tts.Serving.Tests;

/// <summary>
/// The official OpenAI .NET client (2.15) against the server: it lists models and gets chat completions. Its legacy
/// completions client is internal, so /v1/completions is exercised through raw JSON elsewhere (as curl would).
/// </summary>
public sealed class OfficialClientTests
{
    [Fact]
    public async Task The_official_client_lists_models_and_completes_a_chat()
    {
        await using var server = await TestServer.StartAbcAsync();
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Server.Uri, "v1") });

        var models = await client.GetOpenAIModelClient().GetModelsAsync();
        Assert.Contains(models.Value, m => m.Id == "abc");

        var chat = client.GetChatClient("abc");
        var options = new ChatCompletionOptions { Temperature = 0f, MaxOutputTokenCount = 3, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 };
#pragma warning disable OPENAI001 // Seed is marked experimental in the client; the server honours it.
        options.Seed = 42;
#pragma warning restore OPENAI001
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("b")], options);

        // Greedy after "b" is b, b, b (p = 0.6 each time).
        Assert.Equal("bbb", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(3, completion.ContentTokenLogProbabilities.Count);
        Assert.Equal(0.0, completion.ContentTokenLogProbabilities[0].LogProbability, 12); // greedy: the processed law is a point mass
        Assert.Equal(1, completion.Usage.InputTokenCount);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task The_official_client_reports_a_bad_request_as_the_servers_message()
    {
        await using var server = await TestServer.StartAbcAsync();
        var client = new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Server.Uri, "v1") });
        var error = await Assert.ThrowsAsync<ClientResultException>(
            () => client.GetChatClient("abc").CompleteChatAsync([new UserChatMessage("a")], new ChatCompletionOptions { TopP = 0f }));
        Assert.Equal(400, error.Status);
        Assert.Contains("top_p", error.Message);
    }
}
