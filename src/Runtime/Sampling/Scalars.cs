using TorchSharp;

namespace Tts.Runtime.Sampling;

/// <summary>
/// Scalars for tensor arithmetic that stay alive for the whole call. TorchSharp 0.107 turns a <c>double</c> operand
/// (<c>t * 2.0</c>, <c>masked_fill(m, 0.0)</c>) into a temporary <see cref="Scalar"/> that only the finalizer frees; a
/// garbage collection on another thread can free it while the native call still reads it ("Unknown scalar type",
/// seen under parallel tests; dotnet/TorchSharp pull requests 1434 and 1496). Constants live here for the process;
/// a value computed at run time is made with <see cref="Of"/> in a <c>using</c>, which keeps it alive to the end of
/// its block.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0.0.ToScalar();

    public static readonly Scalar Two = 2.0.ToScalar();

    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>The integer exponent 2 (<c>pow</c> squares exactly, as with the literal <c>2</c>).</summary>
    public static readonly Scalar TwoInteger = 2L.ToScalar();

    /// <summary>Token ids: what a mask leaves for a row with no allowed token, and the smallest real id.</summary>
    public static readonly Scalar NoToken = ((long)TokenSampler.NoToken).ToScalar();

    public static readonly Scalar FirstToken = 0L.ToScalar();

    public static Scalar Of(double value) => value.ToScalar();
}
