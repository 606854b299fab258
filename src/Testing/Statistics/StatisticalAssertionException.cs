namespace Tts.Testing.Statistics;

/// <summary>
/// A statistical assertion rejected its null hypothesis: the data are unlikely (below the assertion's alpha) under
/// the law the code claims. Test frameworks report it as a failure like any other exception.
/// </summary>
public sealed class StatisticalAssertionException : Exception
{
    public StatisticalAssertionException(string message)
        : base(message)
    {
    }
}
