using System.Diagnostics;

namespace Tts.Runtime.Models.Transformer;

/// <summary>
/// Wall time per phase of decode steps (<c>tts bench profile</c>). On CPU every torch op returns when its result is
/// computed (intra-op threads join before the call returns), so a <see cref="Stopwatch"/> read between ops attributes
/// each op's time to the phase named after it. Phases accumulate over steps until <see cref="Take"/>.
/// </summary>
internal sealed class StepProfile
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, double> _seconds = [];
    private readonly List<string> _order = [];
    private TimeSpan _last;

    /// <summary>Starts timing from now (what ran before belongs to no phase).</summary>
    public void Start() => _last = _clock.Elapsed;

    /// <summary>Charges the time since the last mark (or <see cref="Start"/>) to <paramref name="phase"/>.</summary>
    public void Mark(string phase)
    {
        var now = _clock.Elapsed;
        if (!_seconds.TryGetValue(phase, out var seconds))
        {
            _order.Add(phase);
        }

        _seconds[phase] = seconds + (now - _last).TotalSeconds;
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
}
