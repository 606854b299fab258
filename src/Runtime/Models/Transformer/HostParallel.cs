namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// The C# kernels' one rule for splitting work over .NET threads: items run one after another on the calling thread
/// when there is one thread, one item, or less work than <c>minimumParallelWork</c> (waking a helper would cost more than
/// it saves), and on the calling thread with the <see cref="HostTeam"/>, up to <c>threads</c> threads, otherwise (through
/// <c>Parallel.For</c> when the team is already running a loop: another thread's, or the one this loop is an item of).
/// Each item is one call whichever way it runs, so a kernel whose items are independent gives the same bits either way.
/// </summary>
internal static class HostParallel
{
    public static void For(int items, long work, long minimumParallelWork, int threads, Action<int> body)
    {
        if (threads <= 1 || items == 1 || work < minimumParallelWork)
        {
            for (var item = 0; item < items; item++)
            {
                body(item);
            }
        }
        else
        {
            HostTeam.For(items, threads, body);
        }
    }
}
