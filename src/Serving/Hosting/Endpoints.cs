using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tts.Serving.Protocol;
using Tts.Serving.Scheduling;

namespace Tts.Serving.Hosting;

/// <summary>The routes, each wrapped so that every refusal is an OpenAI-shaped error and a vanished client costs nothing.</summary>
internal static class Endpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        app.MapGet("/v1/models", Route(_ => Task.FromResult(ListModels(state))));
        app.MapPost("/v1/completions", Route(context => Complete(context, state, chat: false)));
        app.MapPost("/v1/chat/completions", Route(context => Complete(context, state, chat: true)));
        app.MapPost("/pooling", Route(context => Pool(context, state)));
        app.MapFallback(Route(context => throw new ApiException(
            404, "invalid_request_error", "not_found", null, $"No route {context.Request.Method} {context.Request.Path}: this server has GET /health, GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /pooling.")));
    }

    /// <summary>A route whose handler returns a JSON writer; refusals map to their status, bugs to a 500 without a trace.</summary>
    private static RequestDelegate Route(Func<HttpContext, Task<Action<Utf8JsonWriter>>> handler) => context => Handle(context, handler);

    private static async Task Handle(HttpContext context, Func<HttpContext, Task<Action<Utf8JsonWriter>>> handler)
    {
        try
        {
            var write = await handler(context);
            context.Response.ContentType = "application/json";
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                write(json);
            }

            await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: its sequences were dropped; nobody reads an answer.
        }
        catch (ApiException error)
        {
            await ErrorResponses.WriteAsync(context, error);
        }
        catch (Exception e)
        {
            await ErrorResponses.WriteAsync(context, ErrorResponses.Internal(e));
        }
    }

    private static Action<Utf8JsonWriter> ListModels(ServerState state) => json =>
    {
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        foreach (var name in state.AllNames)
        {
            json.WriteStartObject();
            json.WriteString("id", name);
            json.WriteString("object", "model");
            json.WriteNumber("created", 0);
            json.WriteString("owned_by", "tts");
            if (state.Models.TryGetValue(name, out var model))
            {
                json.WriteNumber("vocab_size", model.Vocabulary.Count);
                json.WriteNumber("eos_token_id", model.Vocabulary.EosId);
                json.WriteNumber("max_logprobs", Math.Min(state.Options.MaxLogprobs ?? model.Vocabulary.Count, model.Vocabulary.Count));
            }
            else
            {
                json.WriteString("task", "reward");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    };

    private static async Task<Action<Utf8JsonWriter>> Complete(HttpContext context, ServerState state, bool chat)
    {
        using var document = await RequestBody.ReadAsync(context);
        var fields = new JsonFields(document.RootElement);
        var name = fields.RequiredString("model");
        var (model, scheduler) = state.LanguageModel(name);
        var request = chat
            ? ChatRequestParser.Parse(fields, name, model, state.Options, ServerState.FreshSeed)
            : CompletionRequestParser.Parse(fields, name, model, state.Options, ServerState.FreshSeed);
        var returnTokenIds = fields.Bool("return_token_ids", false);
        var job = new CompletionJob(request, context.RequestAborted);
        await scheduler.Submit(job);
        return chat
            ? json => ChatResponseWriter.Write(json, job, model.Vocabulary)
            : json => CompletionResponseWriter.Write(json, job, model.Vocabulary, returnTokenIds);
    }

    private static async Task<Action<Utf8JsonWriter>> Pool(HttpContext context, ServerState state)
    {
        using var document = await RequestBody.ReadAsync(context);
        var fields = new JsonFields(document.RootElement);
        var name = fields.RequiredString("model");
        var served = state.Reward(name);
        var (inputs, separator) = PoolingHandler.Parse(fields);
        var prefixes = inputs.Select(text => PoolingHandler.StepPrefixes(text, separator)).ToList();
        var flat = prefixes.SelectMany(p => p).ToList();
        var values = await Task.Run(
            () =>
            {
                lock (state.RewardLock(name))
                {
                    return served.Reward.Evaluate(flat);
                }
            },
            context.RequestAborted);
        var scores = new List<IReadOnlyList<double>>();
        var next = 0;
        foreach (var steps in prefixes)
        {
            scores.Add(values.Skip(next).Take(steps.Count).ToList());
            next += steps.Count;
        }

        var tokens = served.CountTokens is null ? 0 : inputs.Sum(served.CountTokens);
        return json => PoolingHandler.Write(json, name, scores, tokens);
    }
}
