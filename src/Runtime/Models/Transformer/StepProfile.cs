using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// Wall time per phase of decode steps (<c>tts bench profile</c>). On CPU every torch op returns when its result is
/// computed (intra-op threads join before the call returns), so a <see cref="Stopwatch"/> read between ops attributes
/// each op's time to the phase named after it. Phases accumulate over steps until <see cref="Take"/>.
/// <para>
/// With <c>threadCpuTime</c>, the clock is the calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>)
/// instead of wall time: with one torch thread every op runs on the calling thread, so this counts the work done and
/// not the time spent waiting for a core on a loaded machine (memory contention still shows).
/// </para>
/// </summary>
internal sealed class StepProfile(bool threadCpuTime = false)
{
    private const int ClockThreadCpuTime = 3;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, double> _seconds = [];
    private readonly List<string> _order = [];
    private double _last;

    /// <summary>Seconds on this profile's clock (wall, or the calling thread's CPU time).</summary>
    public double Now()
    {
        if (!threadCpuTime)
        {
            return _clock.Elapsed.TotalSeconds;
        }

        return clock_gettime(ClockThreadCpuTime, out var time) == 0
            ? time.Seconds + time.Nanoseconds * 1e-9
            : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: thread CPU time needs Linux");
    }

    /// <summary>Starts timing from now (what ran before belongs to no phase).</summary>
    public void Start() => _last = Now();

    /// <summary>Charges the time since the last mark (or <see cref="Start"/>) to <paramref name="phase"/>.</summary>
    public void Mark(string phase)
    {
        var now = Now();
        if (!_seconds.TryGetValue(phase, out var seconds))
        {
            _order.Add(phase);
        }

        _seconds[phase] = seconds + (now - _last);
        _last = now;
    }

    /// <summary>The seconds per phase, in the order phases were first seen, and clears them.</summary>
    public List<KeyValuePair<string, double>> Take()
    {
        var result = _order.Select(phase => new KeyValuePair<string, double>(phase, _seconds[phase])).ToList();
        _seconds.Clear();
        _order.Clear();
        return result;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
