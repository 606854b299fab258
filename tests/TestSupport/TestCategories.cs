namespace Tts.TestSupport;

/// <summary>
/// Values of the xunit trait "Category": <c>[Trait("Category", TestCategories.Slow)]</c>. The fast set a developer runs
/// in a loop is <c>dotnet test Dsl.sln --filter "Category!=Slow"</c> (<c>bash scripts/test.sh --fast</c>); CI runs all.
/// </summary>
public static class TestCategories
{
    /// <summary>
    /// Tests whose cost is their point: statistical checks over many draws (every assertion of
    /// <see cref="Statistics.StatisticalAssertions"/>, and the mutation checks that must reject), FsCheck properties over
    /// random programs or random input text, training, end-to-end runs (`tts eval`, `tts bench`, generated strategies
    /// compiled with Roslyn), and any test measured at about a second or more on the 2-core machine.
    /// </summary>
    public const string Slow = "Slow";
}
