namespace Tts.Runtime.Rewards.Attributes;

/// <summary>
/// Binds a C# method to the extractor a .tts file declares as <c>extractor NAME</c> (e.g. the final answer of a
/// solution). The source generator checks the signature at build time: per text, <c>string M(string text)</c>;
/// batched, <c>IReadOnlyList&lt;string&gt; M(IReadOnlyList&lt;string&gt; texts)</c> (one text per text; "" for no
/// answer). Static or instance (the generated run methods then take the instance); public or internal.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class AnswerExtractorAttribute : Attribute
{
    public AnswerExtractorAttribute(string name) => Name = name;

    /// <summary>The extractor's name in the .tts file.</summary>
    public string Name { get; }
}
