namespace Tts.Runtime.Rewards.Attributes;

/// <summary>
/// Binds a C# method to the verifier a .tts file declares as <c>verifier NAME</c>. The source generator checks the
/// signature at build time: per text, <c>bool M(string text)</c>; batched,
/// <c>IReadOnlyList&lt;bool&gt; M(IReadOnlyList&lt;string&gt; texts)</c> (one verdict per text). Static or instance
/// (the generated run methods then take the instance); public or internal.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class VerifierAttribute : Attribute
{
    public VerifierAttribute(string name) => Name = name;

    /// <summary>The verifier's name in the .tts file.</summary>
    public string Name { get; }
}
