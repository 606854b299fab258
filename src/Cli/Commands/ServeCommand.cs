using System.CommandLine;
using System.Runtime.InteropServices;
using Tts.Cli.Binding;
using Tts.Runtime.Models;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Serving;

namespace Tts.Cli.Commands;

/// <summary>
/// <c>tts serve --model NAME=KIND:PATH... [--bind NAME=reward-model:DIR]... [--host H] [--port P] [--max-batch B]
/// [--max-n N] [--max-tokens T] [--max-logprobs K] [--max-queue Q] [--logprobs-mode processed|raw] [--device D]</c>:
/// an OpenAI-compatible server over the project's models (docs/serving.md); prints its URL and runs until Ctrl-C.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var shared = new StrategyOptions();
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most sequences one model decodes per batched step, over all requests", DefaultValueFactory = _ => 256 };
        var maxN = new Option<int>("--max-n") { Description = "Most choices per prompt (n)", DefaultValueFactory = _ => 256 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Upper bound of max_tokens", DefaultValueFactory = _ => 4096 };
        var maxLogprobs = new Option<int?>("--max-logprobs") { Description = "Upper bound of logprobs / prompt_logprobs (default: the whole vocabulary)" };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most sequences waiting for the batch before requests get 429", DefaultValueFactory = _ => 4096 };
        var mode = new Option<string>("--logprobs-mode") { Description = "processed: the law each token was sampled from (after bias, mask, temperature, top-k/p, min-p); raw: the model's own", DefaultValueFactory = _ => "processed" };
        mode.AcceptOnlyFromAmong("processed", "raw");

        var command = new Command("serve", "Serve models over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, /v1/models, /pooling, /health)");
        command.Options.Add(shared.Models);
        command.Options.Add(shared.Binds);
        command.Options.Add(shared.Device);
        foreach (var option in new Option[] { host, port, maxBatch, maxN, maxTokens, maxLogprobs, maxQueue, mode })
        {
            command.Options.Add(option);
        }

        command.SetAction(result =>
        {
            var options = new ServerOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                MaxBatch = result.GetValue(maxBatch),
                MaxN = result.GetValue(maxN),
                MaxTokens = result.GetValue(maxTokens),
                MaxLogprobs = result.GetValue(maxLogprobs),
                MaxQueuedSequences = result.GetValue(maxQueue),
                LogprobsMode = result.GetValue(mode) == "raw" ? LogprobsMode.Raw : LogprobsMode.Processed,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            var settings = shared.Read(result);
            return Serve(settings, options, output, error);
        });
        return command;
    }

    private static int Serve(StrategySettings settings, ServerOptions options, TextWriter output, TextWriter error)
    {
        var owned = new List<IDisposable>();
        try
        {
            var models = new Dictionary<string, ILanguageModel>(StringComparer.Ordinal);
            foreach (var spec in settings.Models.Select(ModelSpec.Parse))
            {
                var model = spec.Load(settings.Device);
                owned.Add(model);
                if (!models.TryAdd(spec.Name, model))
                {
                    throw new CliException($"model '{spec.Name}' is bound twice");
                }
            }

            var rewards = LoadRewards(settings, models.Keys, owned);
            if (models.Count + rewards.Count == 0)
            {
                throw new CliException("nothing to serve: give --model NAME=tabular:PATH or NAME=transformer:DIR, or --bind NAME=reward-model:DIR");
            }

            using var stop = new CancellationTokenSource();
            // Ctrl-C (SIGINT) and SIGTERM stop cleanly: in-flight requests get 503, then the models are disposed.
            using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            RunUntilStopped(models, rewards, options, output, stop.Token).GetAwaiter().GetResult();
            error.WriteLine("tts serve: stopped");
            return TtsCommandLine.Success;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }
        finally
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }
        }
    }

    private static async Task RunUntilStopped(
        Dictionary<string, ILanguageModel> models, Dictionary<string, ServedReward> rewards, ServerOptions options, TextWriter output, CancellationToken stop)
    {
        RunningServer server;
        try
        {
            server = await OpenAiServer.StartAsync(models, rewards, options, stop);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
        }

        await using (server)
        {
            output.WriteLine($"tts serve: listening on {server.Uri} (OpenAI base URL {server.Uri}v1)");
            output.WriteLine($"  models: {(models.Count == 0 ? "none" : string.Join(", ", models.Keys))}; reward models (POST /pooling): {(rewards.Count == 0 ? "none" : string.Join(", ", rewards.Keys))}");
            output.WriteLine("  Ctrl-C stops");
            output.Flush();
            try
            {
                await server.WaitForShutdownAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl-C or SIGTERM.
            }
        }
    }

    /// <summary><c>--bind NAME=reward-model:DIR</c>: a process reward model served on /pooling.</summary>
    private static Dictionary<string, ServedReward> LoadRewards(StrategySettings settings, IEnumerable<string> modelNames, List<IDisposable> owned)
    {
        var rewards = new Dictionary<string, ServedReward>(StringComparer.Ordinal);
        foreach (var bind in settings.Binds)
        {
            var spec = ModelSpec.Parse(bind);
            if (spec.Kind != FunctionSpec.RewardModelKind)
            {
                throw new CliException($"--bind {bind}: tts serve binds reward models only: write NAME={FunctionSpec.RewardModelKind}:DIR");
            }

            if (!Directory.Exists(spec.Path))
            {
                throw new CliException($"--bind {spec.Name}={FunctionSpec.RewardModelKind}:{spec.Path}: directory not found");
            }

            if (modelNames.Contains(spec.Name) || rewards.ContainsKey(spec.Name))
            {
                throw new CliException($"'{spec.Name}' is served twice");
            }

            var model = TransformerRewardModel.Load(spec.Path, new TransformerOptions { Device = settings.Device });
            owned.Add(model);
            rewards[spec.Name] = new ServedReward(new RewardModelReward(model), text => model.Encode(text).Length);
        }

        return rewards;
    }
}
