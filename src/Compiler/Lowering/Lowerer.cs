using System.Collections.Immutable;
using Tts.Compiler.IR;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Binding.Types;

namespace Tts.Compiler.Lowering;

/// <summary>
/// Lowers a bound strategy to IR. `population x = sample m(p, ...)` becomes spawn → prefill → decode;
/// selections become select/reduce instructions; `let` introduces no instruction (SSA names the value).
/// Random instructions get stream numbers in source order, so a seed means the same thing after any pass.
/// </summary>
public sealed class Lowerer
{
    private readonly List<IrInstruction> _instructions = new();
    private readonly Dictionary<LocalSymbol, IrValue> _locals = new();
    private readonly Dictionary<ParameterSymbol, IrValue> _parameters = new();
    private int _nextId;
    private int _nextStream;

    private Lowerer()
    {
    }

    /// <summary>Lowers the strategies the IR v0 can express; see <see cref="Unsupported"/> for the others.</summary>
    public static IrModule Lower(BoundProgram program) =>
        new(program.Models.Select(m => m.Name).ToImmutableArray(),
            program.Strategies.Where(s => Unsupported(s) is null).Select(Lower).ToImmutableArray());

    /// <summary>
    /// Why the IR v0 cannot run this strategy yet (SMC, search, calls and the other v1 constructs lower with the
    /// compiler's next version), or null when it can. The front end accepts them all; only running waits.
    /// </summary>
    public static string? Unsupported(BoundStrategy strategy)
    {
        foreach (var statement in strategy.Body.SelectMany(BoundTreeWalker.Statements))
        {
            if (statement is not (BoundSampleStatement or BoundLetStatement or BoundReturnStatement))
            {
                return $"`{Describe(statement)}` is not lowered to IR yet";
            }

            if (statement is BoundSampleStatement sample && !(sample.Options.MinP.IsLiteral(0.0) && sample.Options.Forbid is BoundList { Elements.Length: 0 }))
            {
                return "the min_p and forbid options are not lowered to IR yet";
            }

            foreach (var expression in BoundTreeWalker.Expressions(statement))
            {
                switch (expression)
                {
                    case BoundStrategyCall or BoundSpawn or BoundRank or BoundRepeat or BoundSpeculative:
                        return $"{expression.GetType().Name.Replace("Bound", "")} is not lowered to IR yet";
                }
            }
        }

        return null;
    }


    private static string Describe(BoundStatement statement) => statement switch
    {
        BoundPopulationStatement { Value: BoundStrategyCall } => "a strategy call",
        BoundPopulationStatement population => population.Value.GetType().Name.Replace("Bound", "").ToLowerInvariant(),
        BoundParticleUpdate update => update.Kind.ToString().ToLowerInvariant(),
        _ => statement.GetType().Name.Replace("Bound", "").Replace("Statement", "").ToLowerInvariant(),
    };

    public static IrFunction Lower(BoundStrategy strategy)
    {
        var lowerer = new Lowerer();
        foreach (var parameter in strategy.Symbol.Parameters)
        {
            lowerer._parameters[parameter] = lowerer.Emit(IrType.Single(parameter.Type), r => new IrParameter(r, parameter.Name));
        }

        foreach (var statement in strategy.Body)
        {
            lowerer.LowerStatement(statement);
        }

        var function = new IrFunction(strategy.Symbol.Name, strategy.Symbol.Parameters, strategy.Symbol.ReturnType, strategy.Guarantee, lowerer._instructions.ToImmutableArray());
        IrVerifier.Verify(function, "lowering");
        return function;
    }

    private void LowerStatement(BoundStatement statement)
    {
        switch (statement)
        {
            case BoundSampleStatement sample:
                var count = LowerExpression(sample.Options.Count);
                var prompt = LowerExpression(sample.Prompt);
                var temperature = LowerExpression(sample.Options.Temperature);
                var topK = LowerExpression(sample.Options.TopK);
                var topP = LowerExpression(sample.Options.TopP);
                var maxTokens = LowerExpression(sample.Options.MaxTokens);
                var stop = LowerExpression(sample.Options.Stop);
                var spawned = Emit(IrType.PopulationType, r => new IrSpawn(r, count));
                var prefilled = Emit(IrType.PopulationType, r => new IrPrefill(r, spawned, sample.Model.Name, prompt));
                var stream = _nextStream++;
                _locals[sample.Population] = Emit(IrType.PopulationType,
                    r => new IrDecode(r, prefilled, sample.Model.Name, temperature, topK, topP, maxTokens, stop, stream));
                break;
            case BoundLetStatement let:
                _locals[let.Local] = LowerExpression(let.Value);
                break;
            case BoundReturnStatement ret:
                _instructions.Add(new IrReturn(LowerExpression(ret.Value)));
                break;
            default:
                throw new InvalidOperationException($"cannot lower {statement.GetType().Name}");
        }
    }

    private IrValue LowerExpression(BoundExpression expression)
    {
        switch (expression)
        {
            case BoundLiteral literal:
                return Emit(IrType.Single(literal.Type), r => new IrConstant(r, literal.Value));
            case BoundParameterReference parameter:
                return _parameters[parameter.Parameter];
            case BoundLocalReference local:
                return _locals[local.Local];
            case BoundParticleText text:
                var population = _locals[text.PopulationSymbol];
                return Emit(IrType.PerParticle(TtsType.Text, population), r => new IrParticleText(r, population));
            case BoundBuiltinCall call:
                var arguments = call.Arguments.Select(LowerExpression).ToImmutableArray();
                return Emit(TypeOf(call), r => new IrCall(r, call.Function, arguments));
            case BoundUnary unary:
                var operand = LowerExpression(unary.Operand);
                return Emit(TypeOf(unary), r => new IrUnary(r, unary.Operator, operand));
            case BoundBinary binary:
                var left = LowerExpression(binary.Left);
                var right = LowerExpression(binary.Right);
                return Emit(TypeOf(binary), r => new IrBinary(r, binary.Operator, left, right));
            case BoundList list:
                var elements = list.Elements.Select(LowerExpression).ToImmutableArray();
                return Emit(IrType.Single(list.Type), r => new IrList(r, elements));
            case BoundSelection selection:
                return LowerSelection(selection);
            case BoundFunctionCall call:
                var argument = LowerExpression(call.Argument);
                return Emit(TypeOf(call), r => new IrCallFunction(r, call.Function.Name, call.Function.Kind, call.Function.ResultType, argument));
            default:
                throw new InvalidOperationException($"cannot lower {expression.GetType().Name}: the binder should have reported it");
        }
    }

    private IrValue LowerSelection(BoundSelection selection)
    {
        var population = _locals[selection.PopulationSymbol];
        switch (selection.Kind)
        {
            case SelectionKind.Sample:
                var stream = _nextStream++;
                return Emit(IrType.Single(selection.Type), r => new IrSelectSample(r, population, stream));
            case SelectionKind.Best:
                var score = LowerExpression(selection.Key!);
                return Emit(IrType.Single(selection.Type), r => new IrSelectBest(r, population, score));
            case SelectionKind.First:
                var condition = LowerExpression(selection.Key!);
                var otherwise = selection.Otherwise is null ? null : LowerExpression(selection.Otherwise);
                return Emit(IrType.Single(selection.Type), r => new IrSelectFirst(r, population, condition, otherwise));
            default:
                // vote(xs) without a key votes on the whole text.
                var key = selection.Key is null
                    ? Emit(IrType.PerParticle(TtsType.Text, population), r => new IrParticleText(r, population))
                    : LowerExpression(selection.Key);
                var weight = selection.Weight is null ? null : LowerExpression(selection.Weight);
                return Emit(IrType.Single(selection.Type), r => new IrReduceVote(r, population, key, weight));
        }
    }

    private IrType TypeOf(BoundExpression expression) =>
        expression.Population is { } population ? IrType.PerParticle(expression.Type, _locals[population]) : IrType.Single(expression.Type);

    private IrValue Emit(IrType type, Func<IrValue, IrInstruction> create)
    {
        var result = new IrValue(_nextId++, type);
        _instructions.Add(create(result));
        return result;
    }
}
