using System.Globalization;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using Tts.Runtime.Models;

namespace Tts.Engines.Gguf.Engine;

/// <summary>
/// The llama.cpp contexts of one model. A context holds at most <see cref="SequencesPerContext"/> sequences (llama.cpp
/// caps a context at 256), so a population larger than that is spread over several contexts, made on demand when their
/// KV caches fit the memory budget. A row is a <see cref="Conversation"/>; copies of it are forks in its own context
/// while that has room (shared KV cells), and otherwise its KV state copied once into another context and forked there.
/// Not thread-safe: the model's gate serializes every call.
/// </summary>
internal sealed class GgufContextPool : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly string _sourceName;
    private readonly List<BatchedExecutor> _contexts = [];
    private readonly Dictionary<BatchedExecutor, int> _live = [];

    public GgufContextPool(string sourceName, LLamaWeights weights, ModelParams parameters, long bytesPerContext, long budgetBytes)
    {
        _sourceName = sourceName;
        _weights = weights;
        _parameters = parameters;
        BytesPerContext = bytesPerContext;
        BudgetBytes = budgetBytes;
        AddContext();
    }

    public int SequencesPerContext => (int)_parameters.SeqMax;

    public int ContextTokens => (int)_parameters.ContextSize!.Value;

    public int BatchTokens => (int)_parameters.BatchSize;

    /// <summary>KV cache and output buffer of one context, as counted against <see cref="BudgetBytes"/>.</summary>
    public long BytesPerContext { get; }

    public long BudgetBytes { get; }

    public int Contexts => _contexts.Count;

    public int LiveSequences => _live.Values.Sum();

    /// <summary>Forward passes (llama_decode calls) so far.</summary>
    public long DecodeCalls { get; private set; }

    /// <summary>A new empty sequence in the context with the most room, at least <paramref name="room"/> if one has it.</summary>
    public Conversation Create(int room = 1)
    {
        var context = WithRoom(room);
        return Track(context.Create());
    }

    /// <summary><paramref name="count"/> further copies of a row that has no tokens waiting for inference.</summary>
    public List<Conversation> Copies(Conversation source, int count)
    {
        var copies = new List<Conversation>(count);
        try
        {
            var home = source.Executor;
            while (copies.Count < count && Free(home) > 0)
            {
                copies.Add(Track(source.Fork()));
            }

            // The rest: the state copied once into each further context, forked there while it has room.
            while (copies.Count < count)
            {
                var context = WithRoom(count - copies.Count, except: home);
                Conversation loaded;
                using (var state = source.Save())
                {
                    loaded = Track(context.Load(state));
                }

                copies.Add(loaded);
                while (copies.Count < count && Free(context) > 0)
                {
                    copies.Add(Track(loaded.Fork()));
                }
            }

            return copies;
        }
        catch
        {
            copies.ForEach(Release);
            throw;
        }
    }

    public void Release(Conversation conversation)
    {
        if (!conversation.IsDisposed)
        {
            _live[conversation.Executor]--;
            conversation.Dispose();
        }
    }

    /// <summary>Decodes the next waiting batch of every context that has one.</summary>
    public void InferWaiting(string what)
    {
        foreach (var context in _contexts.Where(c => c.BatchedTokenCount > 0))
        {
            Infer(context, what);
        }
    }

    public void Infer(BatchedExecutor context, string what)
    {
        var result = context.Infer().GetAwaiter().GetResult();
        DecodeCalls++;
        if (result != DecodeResult.Ok)
        {
            throw result == DecodeResult.NoKvSlot
                ? new ModelException($"{_sourceName}: the KV cache of {ContextTokens} tokens of a llama.cpp context is full while decoding {what}: "
                                     + "use a larger context (gguf:FILE?context=N) or fewer particles at once (tts eval --batch-particles)")
                : LlamaNativeLog.Failure($"{_sourceName}: llama.cpp failed to decode {what} ({result})");
        }
    }

    public void Dispose()
    {
        foreach (var context in _contexts)
        {
            context.Dispose();
        }

        _contexts.Clear();
        _live.Clear();
    }

    private Conversation Track(Conversation conversation)
    {
        _live[conversation.Executor]++;
        return conversation;
    }

    private int Free(BatchedExecutor context) => SequencesPerContext - _live[context];

    /// <summary>The context with the most free sequences if it has <paramref name="wanted"/>; else a new one if the budget allows; else any with room.</summary>
    private BatchedExecutor WithRoom(int wanted, BatchedExecutor? except = null)
    {
        var best = _contexts.Where(c => c != except).OrderByDescending(Free).FirstOrDefault();
        if (best is not null && Free(best) >= Math.Min(wanted, SequencesPerContext))
        {
            return best;
        }

        if ((_contexts.Count + 1) * BytesPerContext <= BudgetBytes || best is null || Free(best) == 0)
        {
            return AddContext();
        }

        return best;
    }

    private BatchedExecutor AddContext()
    {
        if ((_contexts.Count + 1) * BytesPerContext > BudgetBytes)
        {
            var each = (BytesPerContext / 1e9).ToString("F3", CultureInfo.InvariantCulture);
            var allowed = (BudgetBytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);
            throw new ModelException(
                $"{_sourceName}: {LiveSequences + 1} llama.cpp sequences need {_contexts.Count + 1} contexts of {SequencesPerContext} sequences and "
                + $"{each} GB each, more than the {allowed} GB allowed: run fewer particles at once "
                + "(tts eval --batch-particles, tts run --samples), lower gguf:FILE?context=N or raise gguf:FILE?kv_cache_gb=G");
        }

        BatchedExecutor context;
        try
        {
            context = new BatchedExecutor(_weights, _parameters);
        }
        catch (Exception exception) when (exception is not ModelException)
        {
            throw LlamaNativeLog.Failure($"{_sourceName}: llama.cpp could not create a context ({exception.Message})", exception);
        }

        _contexts.Add(context);
        _live[context] = 0;
        return context;
    }
}
