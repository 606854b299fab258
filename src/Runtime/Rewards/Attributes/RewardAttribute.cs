namespace Tts.Runtime.Rewards.Attributes;

/// <summary>
/// Binds a C# method to the reward a .tts file declares as <c>reward NAME: Score</c> (or <c>Prob</c>). The source
/// generator checks the signature at build time: per text, <c>double M(string text)</c>; batched,
/// <c>IReadOnlyList&lt;double&gt; M(IReadOnlyList&lt;string&gt; texts)</c> (one value per text). Static or instance
/// (the generated run methods then take the instance); public or internal.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class RewardAttribute : Attribute
{
    public RewardAttribute(string name) => Name = name;

    /// <summary>The reward's name in the .tts file.</summary>
    public string Name { get; }
}
