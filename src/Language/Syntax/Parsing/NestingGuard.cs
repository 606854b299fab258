using System.Threading;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;

namespace Tts.Language.Syntax.Parsing;

/// <summary>
/// Depth limits that keep a pathological file (thousands of nested brackets or prefix minuses, a 10,000-term sum) from
/// overflowing the stack: the parser and every later pass recurse over the tree. Nesting is checked on the tokens
/// before the parser runs and on the parse tree before the AST is built, so everything downstream sees bounded depth.
/// Real strategies nest a few levels; the limits are far above them.
/// </summary>
internal static class NestingGuard
{
    /// <summary>Open brackets plus a run of prefix operators at any point of the token stream.</summary>
    public const int MaxBracketDepth = 128;

    /// <summary>Depth of the parse tree (a chain of n binary operators is about n deep).</summary>
    public const int MaxTreeDepth = 512;

    // The parser runs on its own thread with this much stack: its recursion per bracket level is several frames deep.
    private const int ParserStackBytes = 64 * 1024 * 1024;

    /// <summary>The token at which brackets and prefix operators first nest deeper than the limit; null if they never do.</summary>
    public static IToken? FirstTooDeepToken(IList<IToken> tokens)
    {
        var brackets = 0;
        var prefixRun = 0;
        IToken? previous = null;
        foreach (var token in tokens)
        {
            switch (token.Text)
            {
                case "(" or "[" or "{":
                    brackets++;
                    break;
                case ")" or "]" or "}":
                    brackets = Math.Max(0, brackets - 1);
                    break;
            }

            // A '-' or 'not' right after an operator or an opening bracket is a prefix operator: each one nests.
            var isPrefix = token.Text is "-" or "not" or "!" && (previous is null || IsOperatorOrOpening(previous.Text));
            prefixRun = isPrefix ? prefixRun + 1 : 0;
            if (brackets + prefixRun > MaxBracketDepth)
            {
                return token;
            }

            previous = token;
        }

        return null;
    }

    /// <summary>The first token of a parse-tree node deeper than the limit; null if the tree is within it. Iterative.</summary>
    public static IToken? FirstTooDeepNode(IParseTree root)
    {
        var pending = new Stack<(IParseTree Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (depth > MaxTreeDepth)
            {
                return node is ParserRuleContext rule ? rule.Start : (node as ITerminalNode)?.Symbol;
            }

            for (var i = node.ChildCount - 1; i >= 0; i--)
            {
                pending.Push((node.GetChild(i), depth + 1));
            }
        }

        return null;
    }

    /// <summary>Runs <paramref name="parse"/> on a thread with a stack large enough for the deepest input the limits admit.</summary>
    public static T OnParserStack<T>(Func<T> parse)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = parse();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            ParserStackBytes);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    private static bool IsOperatorOrOpening(string text) =>
        text.Length > 0 && !char.IsLetterOrDigit(text[0]) && text[0] is not ('"' or '_' or ')' or ']' or '}') || text is "not" or "and" or "or";
}
