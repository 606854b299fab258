using System.Globalization;

namespace Tts.Tasks.Arithmetic;

/// <summary>One step of a solution: <c>left op right = result</c>, written as one line such as <c>48*2=96</c>.</summary>
public sealed record ArithmeticStep(long Left, char Operator, long Right, long Result)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Left}{Operator}{Right}={Result}");
}
