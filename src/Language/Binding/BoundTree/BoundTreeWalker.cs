namespace Tts.Language.Binding.BoundTree;

/// <summary>Enumerates every expression under a statement or expression, parents before children.</summary>
public static class BoundTreeWalker
{
    public static IEnumerable<BoundExpression> Expressions(BoundStatement statement) => statement switch
    {
        BoundSampleStatement sample => new[]
        {
            sample.Prompt, sample.Options.Count, sample.Options.Temperature, sample.Options.TopK,
            sample.Options.TopP, sample.Options.MaxTokens, sample.Options.Stop,
        }.SelectMany(Expressions),
        BoundLetStatement let => Expressions(let.Value),
        BoundReturnStatement ret => Expressions(ret.Value),
        _ => Enumerable.Empty<BoundExpression>(),
    };

    public static IEnumerable<BoundExpression> Expressions(BoundExpression expression)
    {
        yield return expression;
        var children = expression switch
        {
            BoundBuiltinCall call => call.Arguments,
            BoundUnary unary => new[] { unary.Operand },
            BoundBinary binary => new[] { binary.Left, binary.Right },
            BoundList list => list.Elements,
            BoundSelection { Key: { } key } => new[] { key },
            _ => Enumerable.Empty<BoundExpression>(),
        };
        foreach (var child in children.SelectMany(Expressions))
        {
            yield return child;
        }
    }
}
