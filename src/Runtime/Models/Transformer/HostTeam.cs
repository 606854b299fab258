using System.Diagnostics;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// A few long-lived threads that run the C# kernels' parallel loops with the calling thread. After a loop a worker
/// keeps polling for the next one for <see cref="SpinSeconds"/> before it blocks, so the back-to-back loops of a decode
/// step (dozens a step, many under a millisecond) find it awake, as OpenMP's and llama.cpp's thread pools do. Through
/// <c>Parallel.For</c> the pool's workers had gone to sleep between loops: on the 2-core VM a woken worker often arrived
/// after the calling thread had done the whole loop alone (<c>docs/performance.md</c>, "A spinning host team").
/// <para>
/// Items are claimed one at a time from a shared counter, and each is one call of the loop's body, so a body whose items
/// are independent gives the same bits whichever thread runs which item. One loop runs at a time; a loop that arrives
/// while another runs (another thread's decode step) goes to <c>Parallel.For</c>.
/// </para>
/// </summary>
internal static class HostTeam
{
    /// <summary>How long an idle worker polls before it blocks: longer than the gaps inside a step, short enough not to burn a core between steps.</summary>
    private const double SpinSeconds = 200e-6;

    private static readonly long SpinTicks = (long)(SpinSeconds * Stopwatch.Frequency);

    /// <summary>1 while a loop runs. Not a lock: a body that starts a loop of its own must not take the team it runs on.</summary>
    private static int _busy;

    private static readonly object Growth = new();

    private static Worker[] _workers = [];

    private static Loop? _current;

    /// <summary>Runs <paramref name="body"/> for items <c>0 … items − 1</c> on the calling thread and up to <c>threads − 1</c> workers.</summary>
    public static void For(int items, int threads, Action<int> body)
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
            return;
        }

        try
        {
            var helpers = Math.Min(threads, items) - 1;
            var workers = WorkersFor(helpers);
            var loop = new Loop(items, helpers, body);
            Volatile.Write(ref _current, loop);
            for (var i = 0; i < helpers; i++)
            {
                workers[i].Wake();
            }

            loop.Work();
            loop.WaitForItems();
            // Nothing of the loop's (its body's captures) stays reachable from the team once it is done.
            Volatile.Write(ref _current, null);
            loop.Release();
            loop.ThrowIfFailed();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static Worker[] WorkersFor(int count)
    {
        var workers = Volatile.Read(ref _workers);
        if (workers.Length >= count)
        {
            return workers;
        }

        lock (Growth)
        {
            workers = _workers;
            if (workers.Length < count)
            {
                var grown = new Worker[count];
                Array.Copy(workers, grown, workers.Length);
                for (var i = workers.Length; i < count; i++)
                {
                    grown[i] = new Worker(i);
                }

                Volatile.Write(ref _workers, grown);
                workers = grown;
            }

            return workers;
        }
    }

    /// <summary>One parallel loop: its own counters, so a worker that arrives late for a finished loop finds nothing left.</summary>
    private sealed class Loop(int items, int helpers, Action<int> body)
    {
        private Action<int>? _body = body;
        private int _next;
        private int _completed;
        private int _helpers = helpers;
        private Exception? _failure;

        /// <summary>Whether a worker may join (the caller asked for fewer helpers than the team has).</summary>
        public bool Join() => Interlocked.Decrement(ref _helpers) >= 0;

        public void Work()
        {
            int item;
            while ((item = Interlocked.Increment(ref _next) - 1) < items)
            {
                try
                {
                    _body!(item);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref _failure, exception, null);
                }
                finally
                {
                    Interlocked.Increment(ref _completed);
                }
            }
        }

        /// <summary>After <see cref="WaitForItems"/>: a worker that joins later claims no item, so never calls the body.</summary>
        public void Release() => _body = null;

        public void WaitForItems()
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _completed) < items)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        /// <summary>Rethrows an item's exception; the loop (which a worker may hold on to) keeps no reference to it.</summary>
        public void ThrowIfFailed()
        {
            var failure = Interlocked.Exchange(ref _failure, null);
            if (failure is not null)
            {
                throw new AggregateException(failure);
            }
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private int _asleep;

        public Worker(int index) =>
            new Thread(Run) { IsBackground = true, Name = $"tts host team {index + 1}" }.Start();

        /// <summary>Releases the worker if it blocked; a polling worker sees the new loop on its own.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _asleep, 0) == 1)
            {
                _wake.Release();
            }
        }

        private void Run()
        {
            Loop? done = null;
            while (true)
            {
                var loop = AwaitLoop(done);
                done = loop;
                if (loop.Join())
                {
                    loop.Work();
                }
            }
        }

        /// <summary>The next loop after <paramref name="done"/>: polled for a while, then waited for.</summary>
        private Loop AwaitLoop(Loop? done)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                var loop = Volatile.Read(ref _current);
                if (loop is not null && loop != done)
                {
                    return loop;
                }

                if (Stopwatch.GetTimestamp() - started < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                // Announce the sleep, then look once more: a loop published in between either sees the flag and
                // releases the semaphore, or is seen here (and a release that raced with the look is consumed). The
                // announcement is a full fence: a plain store could be passed by the load below, and a loop published
                // in that gap would find no flag and wake no one.
                Interlocked.Exchange(ref _asleep, 1);
                loop = Volatile.Read(ref _current);
                if (loop is not null && loop != done)
                {
                    if (Interlocked.Exchange(ref _asleep, 0) == 0)
                    {
                        _wake.Wait();
                    }

                    return loop;
                }

                _wake.Wait();
                started = Stopwatch.GetTimestamp();
            }
        }
    }
}
