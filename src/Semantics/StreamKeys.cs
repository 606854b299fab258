namespace Tts.Semantics;

/// <summary>
/// Random streams of nested code: a callee's stream s under the call site's stream c is <c>Nest(c, s)</c>, and under
/// an enclosing map m (a callee's callee) m(Nest(c, s)). A repeat member's (or a refine round's) stream s is
/// <c>Nest(K, s)</c>, K the repeat's own final stream (the enclosing map applied; for round i, Nest of that and i), so
/// an inlined repeat carries the whole key in its one stream number. The inliner writes these numbers; the executor
/// computes the same ones for a call it runs without inlining, so inlining never changes what a seed draws.
/// </summary>
public static class StreamKeys
{
    public static int Nest(int outer, int inner)
    {
        unchecked
        {
            // A 32-bit finalizer (murmur3 fmix) over both halves: nested streams land in [2^30, 2^31), away from the small top-level ones.
            var h = (uint)outer * 0x9E3779B1u ^ (uint)inner;
            h ^= h >> 16;
            h *= 0x85EBCA6Bu;
            h ^= h >> 13;
            h *= 0xC2B2AE35u;
            h ^= h >> 16;
            return (int)((h & 0x7FFFFFFFu) | 0x40000000u);
        }
    }
}
