using Tts.Engines.Gguf.Engine;
using Tts.Engines.Remote;
using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Diagnostics;
using Tts.Language.Syntax;
using Tts.Language.Syntax.Nodes;
using Tts.Runtime.Models.Transformer;
using Tts.Runtime.Rewards;
using Tts.Semantics;

namespace Tts.Cli.Binding;

/// <summary>
/// <c>--bind NAME=EXPR</c>: binds a declared reward, verifier or extractor to an expression of the language over the
/// name <c>text</c> (e.g. <c>--bind valid='ends_with(text, "b")'</c>, <c>--bind prm='count(text, "b") / 4.0'</c>), so
/// strategies that need them run from the command line. A reward's expression is a plain number (real or int); a
/// verifier's a bool; an extractor's a text. <c>--bind NAME=reward-model:DIR</c> binds a reward to a learned reward
/// model (a Hugging Face directory with a scalar head, as models/arith-prm, or that model exported by <c>tts export gguf</c>
/// as FILE.gguf and run by llama.cpp), which scores each text after its run's prompt;
/// <c>--bind NAME=openai-judge:URL?tokenizer=PATH[&amp;template=T&amp;answer=A][#served-model]</c> binds a Prob reward to a
/// generative judge on a completions server (<see cref="GenerativeJudgeReward"/>);
/// <c>--bind NAME=openai-reward:URL[?step_separator=S]#served-reward-model</c> binds a Score reward to a process reward
/// model on vLLM's <c>/pooling</c> endpoint (<see cref="PoolingReward"/>).
/// </summary>
internal static class FunctionSpec
{
    public const string Syntax = "NAME=EXPR (an expression over `text`, e.g. valid='ends_with(text, \"b\")') or NAME=" + RewardModelKind + ":DIR|FILE.gguf";

    public const string RewardModelKind = "reward-model";

    public const string JudgeKind = "openai-judge";

    public const string PoolingKind = "openai-reward";

    /// <param name="specs">The <c>--bind</c> values.</param>
    /// <param name="program">The file's declarations.</param>
    /// <param name="context">Where reward models run and what each run was asked (a process reward judges a step after its question).</param>
    /// <param name="owned">Receives what was loaded (reward models), for the caller to dispose.</param>
    public static FunctionBindings Bind(IReadOnlyList<string> specs, BoundProgram program, RewardModelContext context, ICollection<IDisposable> owned)
    {
        var bindings = new FunctionBindings();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == spec.Length - 1)
            {
                throw new CliException($"--bind {spec}: expected NAME=EXPRESSION, e.g. --bind valid='ends_with(text, \"b\")'");
            }

            var name = spec[..equals].Trim();
            var expression = spec[(equals + 1)..];
            var function = program.Functions.FirstOrDefault(f => f.Name == name)
                ?? throw new CliException($"--bind {name}=...: the file declares no reward, verifier or extractor '{name}'"
                                          + (program.Functions.IsEmpty ? "" : $" (it declares: {string.Join(", ", program.Functions.Select(f => f.Name))})"));
            if (!seen.Add(name))
            {
                throw new CliException($"--bind {name}=...: '{name}' is bound twice");
            }

            if (expression.StartsWith(RewardModelKind + ":", StringComparison.Ordinal))
            {
                bindings.BindReward(name, LoadRewardModel(function, expression[(RewardModelKind.Length + 1)..], context, owned));
                continue;
            }

            if (expression.StartsWith(JudgeKind + ":", StringComparison.Ordinal))
            {
                bindings.BindReward(name, OpenJudge(function, expression[(JudgeKind.Length + 1)..], context, owned));
                continue;
            }

            if (expression.StartsWith(PoolingKind + ":", StringComparison.Ordinal))
            {
                bindings.BindReward(name, OpenPoolingReward(function, expression[(PoolingKind.Length + 1)..], context, owned));
                continue;
            }

            var evaluate = Compile(function, expression);
            switch (function.Kind)
            {
                case FunctionKind.Reward:
                    var kind = function.ResultType.Kind == TypeKind.Prob ? RewardKind.Prob : RewardKind.Score;
                    bindings.BindReward(name, DelegateReward.PerText(kind, text => System.Convert.ToDouble(evaluate(text), System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case FunctionKind.Verifier:
                    bindings.BindVerifier(name, DelegateVerifier.PerText(text => (bool)evaluate(text)));
                    break;
                default:
                    bindings.BindExtractor(name, DelegateExtractor.PerText(text => (string)evaluate(text)));
                    break;
            }
        }

        return bindings;
    }

    private static IReward LoadRewardModel(FunctionSymbol function, string directory, RewardModelContext context, ICollection<IDisposable> owned)
    {
        if (function.Kind != FunctionKind.Reward)
        {
            throw new CliException($"--bind {function.Name}={RewardModelKind}:...: '{function.Name}' is a {function.Kind.ToString().ToLowerInvariant()}; only a reward binds to a reward model");
        }

        if (function.ResultType.Kind == TypeKind.Prob)
        {
            throw new CliException($"--bind {function.Name}={RewardModelKind}:...: reward '{function.Name}' is declared Prob; a reward model gives a Score: declare it `reward {function.Name}: Score`");
        }

        // A .gguf file: the reward model exported by `tts export gguf`, run by llama.cpp (docs/engines.md).
        ITextScorer model = File.Exists(directory) && directory.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            ? GgufRewardModel.Load(directory)
            : Directory.Exists(directory)
                ? TransformerRewardModel.Load(directory, new TransformerOptions { Device = context.Device })
                : throw new CliException($"--bind {function.Name}={RewardModelKind}:{directory}: neither a reward model directory nor a .gguf file");
        owned.Add(model);
        return new RewardModelReward(model, context.PromptOfRun);
    }

    private static IReward OpenJudge(FunctionSymbol function, string spec, RewardModelContext context, ICollection<IDisposable> owned)
    {
        if (function.Kind != FunctionKind.Reward || function.ResultType.Kind != TypeKind.Prob)
        {
            throw new CliException($"--bind {function.Name}={JudgeKind}:...: a judge gives the probability of its answer: bind it to a reward declared `reward {function.Name}: Prob`");
        }

        try
        {
            var judge = GenerativeJudgeReward.Open(spec, context.PromptOfRun);
            owned.Add(judge);
            return judge;
        }
        catch (RemoteException exception)
        {
            throw new CliException($"--bind {function.Name}={JudgeKind}:...: {exception.Message}");
        }
    }

    private static IReward OpenPoolingReward(FunctionSymbol function, string spec, RewardModelContext context, ICollection<IDisposable> owned)
    {
        if (function.Kind != FunctionKind.Reward || function.ResultType.Kind == TypeKind.Prob)
        {
            throw new CliException($"--bind {function.Name}={PoolingKind}:...: a served reward model gives a Score: bind it to a reward declared `reward {function.Name}: Score`");
        }

        try
        {
            var reward = PoolingReward.Open(spec, context.PromptOfRun);
            owned.Add(reward);
            return reward;
        }
        catch (RemoteException exception)
        {
            throw new CliException($"--bind {function.Name}={PoolingKind}:...: {exception.Message}");
        }
    }

    /// <summary>Checks the expression with the front end (as the body of a one-parameter strategy) and returns its evaluator.</summary>
    private static Func<string, object> Compile(FunctionSymbol function, string expression)
    {
        var resultType = function.Kind switch
        {
            FunctionKind.Reward => "real",
            FunctionKind.Verifier => "bool",
            _ => "text",
        };
        var source = $"strategy {function.Name}(text: text) -> {resultType} {{\n    return {expression}\n}}\n";
        var tree = SyntaxTree.Parse(source, $"--bind {function.Name}");
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(tree.Diagnostics);
        var program = Binder.Bind(tree, diagnostics);

        // A syntax error is the cause of whatever the binder says next (`len(text` is missing its ')', whatever its
        // type): report it first. The body's closing '}' is ours, so running into it means the expression ended early.
        if (tree.Diagnostics.FirstOrDefault(d => d.IsError) is { } syntaxError)
        {
            var end = source.IndexOf("    return ", StringComparison.Ordinal) + "    return ".Length + expression.Length;
            var message = syntaxError.Location.Span.Start >= end
                ? syntaxError.Message.Replace("unexpected '}'", "the expression ends early", StringComparison.Ordinal)
                : syntaxError.Message;
            throw new CliException($"--bind {function.Name}=...: {syntaxError.Id}: {message}");
        }

        // The expression is pasted into a strategy body: one that closes the body and declares more is refused.
        if (tree.Root.Declarations.Length != 1 || program.Strategies.Length != 1 || program.Strategies[0].Body.Length != 1)
        {
            throw new CliException($"--bind {function.Name}=...: expected one expression over `text`, but this closes the expression and declares more");
        }

        if (diagnostics.ToImmutableSorted().FirstOrDefault(d => d.IsError) is { } error)
        {
            // The expression is checked as the body of a made-up strategy; the error names what the user declared.
            const string Found = ", but this expression is ";
            var message = error.Id == DiagnosticDescriptors.ReturnTypeMismatch.Id && error.Message.IndexOf(Found, StringComparison.Ordinal) is var at and >= 0
                ? $"{function.Kind.ToString().ToLowerInvariant()} '{function.Name}' gives {resultType}{error.Message[at..]}"
                : error.Message;
            throw new CliException($"--bind {function.Name}=...: {error.Id}: {message}");
        }

        var body = program.Strategies.Single().Body.OfType<BoundReturnStatement>().Single().Value;
        if (BoundTreeWalker.Expressions(body).FirstOrDefault(e => e is not (BoundLiteral or BoundParameterReference or BoundUnary or BoundBinary or BoundBuiltinCall or BoundList)) is { } unsupported)
        {
            throw new CliException($"--bind {function.Name}=...: only built-in functions of `text` may be used here, not {unsupported.GetType().Name.Replace("Bound", "").ToLowerInvariant()}");
        }

        return text =>
        {
            try
            {
                return Evaluate(body, text);
            }
            catch (EvaluationException e)
            {
                // What the text makes of the expression (a modulo by zero, an overflow, a pattern past its time limit): a
                // run error naming the binding, never an exception out of the verifier.
                throw new Runtime.Execution.RuntimeException($"--bind {function.Name}=...: {e.Message}");
            }
        };
    }

    private static object Evaluate(BoundExpression expression, string text) => expression switch
    {
        BoundLiteral literal => literal.Value,
        BoundParameterReference => text,
        BoundUnary unary => Operators.Evaluate(unary.Operator, Evaluate(unary.Operand, text)),
        BoundBinary binary => Operators.Evaluate(binary.Operator, Evaluate(binary.Left, text), Evaluate(binary.Right, text)),
        BoundBuiltinCall call => call.Function.Evaluate(call.Arguments.Select(a => Evaluate(a, text)).ToArray()),
        BoundList list => list.Elements.Select(e => Evaluate(e, text)).ToArray(),
        _ => throw new CliException($"--bind: cannot evaluate {expression.GetType().Name}"),
    };
}

/// <summary>What a reward model bound by <c>--bind NAME=reward-model:DIR</c> needs from the command: a device, and each run's prompt.</summary>
internal sealed record RewardModelContext(DevicePreference Device, Func<int, string>? PromptOfRun, long? MemoryLimit = null);
