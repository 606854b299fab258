using System.Collections.Concurrent;
using Tts.Runtime.Models;
using Tts.Serving.Protocol;
using static TorchSharp.torch;

namespace Tts.Serving.Scheduling;

/// <summary>
/// Continuous batching for one model: requests queue; on its own thread (TorchSharp work stays on one thread) the
/// scheduler admits what fits into the batch, decodes every live sequence of every request in ONE model step per
/// token, and completes each request when all its sequences have ended. A client that disconnects has its rows
/// dropped before the next step.
/// </summary>
internal sealed class ModelScheduler : IDisposable
{
    private readonly ILanguageModel _model;
    private readonly ServerOptions _options;
    private readonly ConcurrentQueue<CompletionJob> _pending = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly List<Sequence> _live = [];
    private IDecodeState? _state;
    private int _queuedSequences;
    private int _liveSequences;
    private long _steps;
    private long _rowsDecoded;
    private int _maxRowsInStep;

    public ModelScheduler(string name, ILanguageModel model, ServerOptions options)
    {
        Name = name;
        _model = model;
        _options = options;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"tts-serve {name}" };
        _thread.Start();
    }

    public string Name { get; }

    public SchedulerStatistics Statistics => new(
        Interlocked.Read(ref _steps), Interlocked.Read(ref _rowsDecoded), Volatile.Read(ref _maxRowsInStep), Volatile.Read(ref _liveSequences), Volatile.Read(ref _queuedSequences));

    /// <summary>Queues a job; 429 when the queue has no room for its sequences.</summary>
    public Task Submit(CompletionJob job)
    {
        var needed = job.Sequences.Length;
        while (true)
        {
            var queued = Volatile.Read(ref _queuedSequences);
            if (queued + needed > _options.MaxQueuedSequences)
            {
                throw ApiException.AtCapacity(needed, _options.MaxQueuedSequences - queued);
            }

            if (Interlocked.CompareExchange(ref _queuedSequences, queued + needed, queued) == queued)
            {
                break;
            }
        }

        _pending.Enqueue(job);
        // Wake the loop when the client goes away, so an idle-waiting job is dropped at once.
        job.Aborted.Register(() => Wake());
        Wake();
        return job.Completion.Task;
    }

    public void Dispose()
    {
        _stop.Cancel();
        Wake();
        _thread.Join();
        _stop.Dispose();
        _wake.Dispose();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stopped: nothing left to wake.
        }
    }

    private void Loop()
    {
        using var noGrad = no_grad();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                DropAborted();
                Admit();
                if (_live.Count == 0)
                {
                    _wake.Wait(_stop.Token);
                    continue;
                }

                Step();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            foreach (var job in _live.Select(s => s.Job).Concat(_pending).Distinct())
            {
                job.Completion.TrySetException(new ApiException(503, "server_error", "shutting_down", null, "The server is shutting down."));
                job.Processor?.Dispose();
            }

            _state?.Dispose();
        }
    }

    /// <summary>Moves queued jobs that fit into the batch: their prompts prefilled together, their rows joined to the live state.</summary>
    private void Admit()
    {
        var admitted = new List<CompletionJob>();
        var rows = _live.Count;
        while (_pending.TryPeek(out var job) && (rows + job.Sequences.Length <= _options.MaxBatch || (rows == 0 && admitted.Count == 0)))
        {
            _pending.TryDequeue(out _);
            Interlocked.Add(ref _queuedSequences, -job.Sequences.Length);
            if (job.Aborted.IsCancellationRequested)
            {
                job.Completion.TrySetCanceled(job.Aborted);
                continue;
            }

            try
            {
                Prepare(job);
            }
            catch (Exception e) when (e is ModelException or ArgumentException)
            {
                job.Completion.TrySetException(ApiException.Invalid("prompt", e.Message));
                continue;
            }

            if (job.Request.MaxTokens == 0)
            {
                foreach (var sequence in job.Sequences)
                {
                    sequence.Finish("length", null);
                }

                job.Completion.TrySetResult();
                continue;
            }

            admitted.Add(job);
            rows += job.Sequences.Length;
        }

        if (admitted.Count == 0)
        {
            return;
        }

        // One prefill for every distinct admitted prompt (requests sending the same prompt share its prefix), then one
        // join with the live rows.
        var prompts = new List<int[]>();
        var promptIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var promptOfRow = new List<int>();
        foreach (var job in admitted)
        {
            foreach (var sequence in job.Sequences)
            {
                var ids = job.Request.Prompts[sequence.Prompt].Ids;
                var key = string.Join(",", ids);
                if (!promptIndex.TryGetValue(key, out var index))
                {
                    index = prompts.Count;
                    promptIndex[key] = index;
                    prompts.Add(ids);
                }

                promptOfRow.Add(index);
            }
        }

        IDecodeState fresh;
        try
        {
            fresh = _model.Start(prompts, promptOfRow);
        }
        catch (Exception e) when (e is ModelException or ArgumentException)
        {
            foreach (var job in admitted)
            {
                job.Processor?.Dispose();
                job.Completion.TrySetException(ApiException.Invalid("prompt", e.Message));
            }

            return;
        }

        if (_state is null)
        {
            _state = fresh;
        }
        else
        {
            var joined = _state.Concat(fresh);
            _state.Dispose();
            fresh.Dispose();
            _state = joined;
        }

        _live.AddRange(admitted.SelectMany(j => j.Sequences));
        Volatile.Write(ref _liveSequences, _live.Count);
    }

    /// <summary>Builds the job's row processor and, when asked, scores its prompts (on this thread: both touch the model's device).</summary>
    private void Prepare(CompletionJob job)
    {
        var request = job.Request;
        if (request.ScoresPrompt)
        {
            var top = Math.Max(request.PromptLogprobs ?? 0, request.Logprobs ?? 0);
            for (var p = 0; p < request.Prompts.Count; p++)
            {
                job.PromptScores[p] = PromptScorer.Score(_model, request.Prompts[p].Ids, top);
            }
        }

        job.Processor = new RowProcessor(request, _model.Vocabulary.Count);
    }

    private void DropAborted()
    {
        if (!_live.Any(s => s.Job.Aborted.IsCancellationRequested))
        {
            return;
        }

        foreach (var job in _live.Where(s => s.Job.Aborted.IsCancellationRequested).Select(s => s.Job).Distinct().ToList())
        {
            job.Processor?.Dispose();
            job.Completion.TrySetCanceled(job.Aborted);
        }

        KeepRows(_live.Select((s, row) => (s, row)).Where(x => !x.s.Job.Aborted.IsCancellationRequested).Select(x => x.row).ToList());
    }

    /// <summary>Keeps only the given rows (in order) of the live state; frees it when none is left.</summary>
    private void KeepRows(List<int> rows)
    {
        if (rows.Count == 0)
        {
            _state?.Dispose();
            _state = null;
        }
        else if (rows.Count < _live.Count)
        {
            using var indices = tensor(rows.Select(r => (long)r).ToArray());
            _state!.Reorder(indices);
        }

        var kept = rows.Select(r => _live[r]).ToList();
        _live.Clear();
        _live.AddRange(kept);
        Volatile.Write(ref _liveSequences, _live.Count);
    }

    private void Step()
    {
        var tokens = StepSampler.Sample(_state!, _live, _model.Vocabulary, _options.LogprobsMode);
        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _rowsDecoded, _live.Count);
        if (_live.Count > _maxRowsInStep)
        {
            Volatile.Write(ref _maxRowsInStep, _live.Count);
        }

        using (var appended = tensor(tokens))
        {
            _state!.Append(appended);
        }

        var finishedJobs = _live.Where(s => s.Finished).Select(s => s.Job).Distinct().Where(j => j.Sequences.All(s => s.Finished)).ToList();
        if (_live.Any(s => s.Finished))
        {
            KeepRows(_live.Select((s, row) => (s, row)).Where(x => !x.s.Finished).Select(x => x.row).ToList());
        }

        foreach (var job in finishedJobs)
        {
            job.Processor?.Dispose();
            job.Completion.TrySetResult();
        }
    }
}
