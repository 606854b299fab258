using System.Globalization;
using System.Text.RegularExpressions;
using Tts.Compiler.IR;

namespace Tts.Compiler.Emit;

/// <summary>
/// Writes one strategy as C#: a statement per IR instruction calling the StrategyRuntime operation the IR executor
/// calls for it, with the same operands, casts, stream numbers and block steps, in the same order; regions become
/// lambdas the runtime invokes exactly where the executor runs them. The executor (IrExecutor) is the specification.
/// </summary>
internal sealed class FunctionEmitter
{
    private static readonly Regex OurNames = new("^(v[0-9]+(_[0-9]+)?|rt[0-9]*|step[0-9]+|project[0-9]+|topLevel|arguments)$", RegexOptions.CultureInvariant);

    private readonly IrFunction _function;
    private readonly IrModule _module;
    private readonly CodeWriter _writer;
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    public FunctionEmitter(IrFunction function, IrModule module, CodeWriter writer)
    {
        _function = function;
        _module = module;
        _writer = writer;
        foreach (var parameter in function.Parameters)
        {
            _parameters[parameter.Name] = CSharpLiterals.Identifier(parameter.Name, OurNames.IsMatch);
        }
    }

    /// <summary>True when a call names a strategy the module lacks (the generated class then needs its error helper).</summary>
    public bool CallsMissingStrategy =>
        IrTree.All(_function.Instructions).OfType<IrCallStrategy>().Any(c => _module.Find(c.Callee) is null);

    public static string RunMethod(string strategy) => "Run_" + strategy;

    public static string BodyMethod(string strategy) => "Body_" + strategy;

    public static string StrategyField(string strategy) => "Strategy_" + strategy;

    public void Emit()
    {
        var name = _function.Name;
        var parameters = _function.Parameters.Select(p => _parameters[p.Name]).ToList();

        _writer.Line($"/// <summary>Runs <c>{name}</c> as the strategy being run (its budget enforced): one result per run of <paramref name=\"rt\"/>.</summary>");
        using (_writer.Block($"public static RunResult[] {RunMethod(name)}(StrategyRuntime rt, global::System.Collections.Generic.IReadOnlyDictionary<string, object> arguments)"))
        {
            foreach (var parameter in _function.Parameters)
            {
                _writer.Line($"var {_parameters[parameter.Name]} = rt.Argument(arguments, {CSharpLiterals.String(parameter.Name)});");
            }

            var call = string.Join(", ", new[] { "rt" }.Concat(parameters).Append("topLevel: true"));
            _writer.Line($"return rt.Results(StrategyRuntime.Outputs({BodyMethod(name)}({call})));");
        }

        _writer.Line();
        EmitDescriptor();
        _writer.Line();
        foreach (var line in IrPrinter.Print(_function).Split('\n').Take(1))
        {
            _writer.Line(CSharpLiterals.Comment(line));
        }

        _writer.Line("// Run directly (topLevel: true) or as a strategy call (rt keyed under the call site's stream, topLevel: false).");
        var signature = string.Join(", ", new[] { "StrategyRuntime rt" }.Concat(parameters.Select(p => "BatchValue " + p)).Append("bool topLevel"));
        using (_writer.Block($"public static BatchValue {BodyMethod(name)}({signature})"))
        {
            var scope = new EmitScope(null, "rt", null, "0");
            foreach (var instruction in _function.Instructions)
            {
                if (instruction is IrReturn ret)
                {
                    _writer.Line(CSharpLiterals.Comment(IrPrinter.Print(instruction)));
                    _writer.Line($"return {Read(scope, ret.Value, ValueKind.Object)};");
                    return;
                }

                EmitInstruction(instruction, scope, topLevel: true);
            }

            _writer.Line($"throw new global::System.InvalidOperationException({CSharpLiterals.String($"strategy '{name}' has no return instruction")});");
        }
    }

    /// <summary>
    /// The strategy as the runtime's StrategyRunner takes it: parameters with defaults, what must be bound (read from the
    /// IR as for the executor, src/Compiler/IR/IrRequirements.cs), the run method, and its particle counts.
    /// </summary>
    private void EmitDescriptor()
    {
        var name = _function.Name;
        var requirements = IrRequirements.Of(_function, _module);
        _writer.Line($"/// <summary><c>{name}</c> for <c>StrategyRunner</c>: its parameters, what it needs bound, its run method.</summary>");
        _writer.Line($"public static readonly RunnableStrategy {StrategyField(name)} = new RunnableStrategy(");
        _writer.Indent++;
        _writer.Line($"{CSharpLiterals.String(name)},");
        _writer.Line($"{CSharpLiterals.String(_function.Guarantee.LevelName)},");
        var parameters = _function.Parameters.Select(p =>
            $"new StrategyParameter({CSharpLiterals.String(p.Name)}, {CSharpLiterals.Type(p.Type)}, {(p.DefaultValue is null ? "null" : CSharpLiterals.Constant(p.DefaultValue))})");
        _writer.Line($"new StrategyParameter[] {{ {string.Join(", ", parameters)} }},");
        var needs = requirements.Models.Select(m => $"StrategyRequirement.Model({CSharpLiterals.String(m)})")
            .Concat(requirements.Functions.Select(f =>
                $"StrategyRequirement.Function({CSharpLiterals.Enum(f.Kind)}, {CSharpLiterals.String(f.Name)}, {CSharpLiterals.Type(f.ResultType)})"));
        _writer.Line($"new StrategyRequirement[] {{ {string.Join(", ", needs)} }},");
        _writer.Line($"{RunMethod(name)},");
        var counts = string.Join(", ", requirements.ParticleParameters.Select(CSharpLiterals.String));
        _writer.Line($"new ParticleCounts({requirements.ParticleConstant.ToString(CultureInfo.InvariantCulture)}L, new string[] {{ {counts} }}));");
        _writer.Indent--;
    }

    private void EmitInstruction(IrInstruction instruction, EmitScope scope, bool topLevel)
    {
        _writer.Line(CSharpLiterals.Comment(IrPrinter.Print(instruction)));
        var rt = scope.Runtime;
        string S(IrValue v) => Read(scope, v, ValueKind.Single);
        string P(IrValue v) => Read(scope, v, ValueKind.Population);
        string PP(IrValue v) => Read(scope, v, ValueKind.PerParticle);
        string O(IrValue v) => Read(scope, v, ValueKind.Object);
        string Optional(IrValue? v, Func<IrValue, string> read) => v is null ? "null" : read(v);
        string Stream(int stream) => stream.ToString(CultureInfo.InvariantCulture);
        string Options(IrDecodeOptions o) =>
            $"new OptionValues({S(o.Temperature)}, {S(o.TopK)}, {S(o.TopP)}, {S(o.MinP)}, {S(o.MaxTokens)}, {S(o.Stop)}, {S(o.Forbid)})";

        switch (instruction)
        {
            case IrBudget budget:
                if (topLevel)
                {
                    _writer.Line($"if (topLevel) {{ {rt}.Budget({CSharpLiterals.Enum(budget.Resource)}, {S(budget.Limit)}); }}");
                }
                else
                {
                    _writer.Line("// (inside a region a budget clause does nothing: only the strategy being run enforces one, at its top level)");
                }

                return;
            case IrReturn:
                throw new InvalidOperationException("C# emitter: a return inside a region");
            case IrParameter parameter:
                Declare(scope, instruction, _parameters[parameter.Name], ValueKind.Object);
                return;
            case IrConstant constant:
                Declare(scope, instruction, $"{rt}.Broadcast({CSharpLiterals.Constant(constant.Value)})", ValueKind.Single);
                return;
            case IrSpawn spawn:
                Declare(scope, instruction, S(spawn.Count), ValueKind.SpawnCount);
                return;
            case IrPrefill prefill:
                var spawned = scope.Resolve(prefill.Population);
                if (spawned.Kind != ValueKind.SpawnCount)
                {
                    throw new InvalidOperationException($"C# emitter: prefill of {prefill.Population}, which no spawn made");
                }

                Declare(scope, instruction, $"{rt}.Prefill({spawned.Expression}, {CSharpLiterals.String(prefill.Model)}, {S(prefill.Prompt)}, {Bool(prefill.Shared)})", ValueKind.Population);
                return;
            case IrDecode decode:
                Declare(scope, instruction, $"{rt}.Decode({P(decode.Population)}, {Options(decode.Options)}, {Stream(decode.Stream)}, {Optional(decode.First, S)})", ValueKind.Population);
                return;
            case IrFusedDecode fused:
                var populations = string.Join(", ", fused.Populations.Select(P));
                var streams = string.Join(", ", fused.Streams.Select(Stream));
                Declare(scope, instruction, $"{rt}.DecodeFused(new Population[] {{ {populations} }}, {Options(fused.Options)}, new int[] {{ {streams} }})",
                    ValueKind.PopulationTuple);
                return;
            case IrProject project:
                Declare(scope, instruction, $"{Read(scope, project.Tuple, ValueKind.PopulationTuple)}[{project.Index.ToString(CultureInfo.InvariantCulture)}]", ValueKind.Population);
                return;
            case IrExtend extend:
                Declare(scope, instruction, $"{rt}.Extend({P(extend.Population)}, {Options(extend.Options)}, {Bool(extend.Weighted)}, {Stream(extend.Stream)}, {scope.BlockStep})", ValueKind.Population);
                return;
            case IrReextend reextend:
                Declare(scope, instruction,
                    $"{rt}.Reextend({P(reextend.Population)}, {CSharpLiterals.String(reextend.Model)}, {Options(reextend.Options)}, {Optional(reextend.Condition, O)}, "
                    + $"{Optional(reextend.Acceptance, O)}, {Bool(reextend.Exact)}, {Stream(reextend.Stream)}, {scope.BlockStep})",
                    ValueKind.Population);
                return;
            case IrStepLogProb stepLogProb:
                Declare(scope, instruction, $"{rt}.StepLogProb({CSharpLiterals.String(stepLogProb.Model)}, {P(stepLogProb.Population)})", ValueKind.Object);
                return;
            case IrReweight reweight:
                Declare(scope, instruction, $"{rt}.Reweight({P(reweight.Population)}, {CSharpLiterals.Enum(reweight.Kind)}, {O(reweight.Value)})", ValueKind.Population);
                return;
            case IrTwist twist:
                Declare(scope, instruction, $"{rt}.Twist({P(twist.Population)}, {O(twist.Value)})", ValueKind.Population);
                return;
            case IrScore score:
                Declare(scope, instruction, $"{rt}.Score({P(score.Population)}, {O(score.Value)})", ValueKind.Population);
                return;
            case IrResample resample:
                Declare(scope, instruction,
                    $"{rt}.Resample({P(resample.Population)}, {CSharpLiterals.Enum(resample.Method)}, {Optional(resample.Ess, S)}, {Stream(resample.Stream)}, {scope.BlockStep}"
                    + (resample.Temper is null ? ")" : $", {S(resample.Temper)})"),
                    ValueKind.Population);
                return;
            case IrSmc smc:
                EmitStepLoop(scope, smc, $"{rt}.Smc({P(smc.Population)}, {S(smc.Steps)}, ", smc.Body);
                return;
            case IrParticleGibbs gibbs:
                EmitStepLoop(scope, gibbs, $"{rt}.ParticleGibbs({P(gibbs.Population)}, {S(gibbs.Steps)}, {S(gibbs.Iterations)}, {Stream(gibbs.Stream)}, ", gibbs.Body);
                return;
            case IrSearch search:
                EmitStepLoop(scope, search,
                    $"{rt}.Search({P(search.Population)}, {CSharpLiterals.Enum(search.Method)}, {S(search.Width)}, {S(search.Expand)}, {S(search.Groups)}, {S(search.Steps)}, ",
                    search.Body, search.Explore is null ? "" : $", {S(search.Explore)}");
                return;
            case IrRank rank:
                Declare(scope, instruction, $"{rt}.Rank({P(rank.Population)}, {O(rank.Key)}, {S(rank.Top)})", ValueKind.Population);
                return;
            case IrSpeculative speculative:
                Declare(scope, instruction,
                    $"{rt}.Speculative({S(speculative.Count)}, {CSharpLiterals.String(speculative.Target)}, {CSharpLiterals.String(speculative.Draft)}, "
                    + $"{S(speculative.Lookahead)}, {S(speculative.Prompt)}, {Options(speculative.Options)}, {Stream(speculative.Stream)})",
                    ValueKind.Population);
                return;
            case IrParticleText text:
                Declare(scope, instruction, $"{rt}.ParticleText({P(text.Population)})", ValueKind.PerParticle);
                return;
            case IrCall call:
                var arguments = call.Arguments.IsEmpty ? "global::System.Array.Empty<BatchValue>()" : $"new BatchValue[] {{ {string.Join(", ", call.Arguments.Select(O))} }}";
                Declare(scope, instruction, $"{rt}.Builtin({CSharpLiterals.Builtin(call.Function)}, {arguments})", ValueKind.Object);
                return;
            case IrUnary unary:
                Declare(scope, instruction, $"{rt}.Unary({CSharpLiterals.Enum(unary.Operator)}, {O(unary.Operand)})", ValueKind.Object);
                return;
            case IrBinary binary:
                Declare(scope, instruction, $"{rt}.Binary({CSharpLiterals.Enum(binary.Operator)}, {O(binary.Left)}, {O(binary.Right)})", ValueKind.Object);
                return;
            case IrList list:
                var elements = list.Elements.IsEmpty ? "global::System.Array.Empty<RunValues>()" : $"new RunValues[] {{ {string.Join(", ", list.Elements.Select(S))} }}";
                Declare(scope, instruction, $"{rt}.List({elements})", ValueKind.Single);
                return;
            case IrSelectSample sample:
                Declare(scope, instruction, $"{rt}.SelectSample({P(sample.Population)}, {Stream(sample.Stream)})", ValueKind.Single);
                return;
            case IrSelectBest best:
                Declare(scope, instruction, $"{rt}.SelectBest({P(best.Population)}, {PP(best.Key)})", ValueKind.Single);
                return;
            case IrReduceVote vote:
                Declare(scope, instruction, $"{rt}.ReduceVote({P(vote.Population)}, {PP(vote.Key)}, {Optional(vote.Weight, PP)})", ValueKind.Single);
                return;
            case IrSelectFirst first:
                Declare(scope, instruction, $"{rt}.SelectFirst({P(first.Population)}, {PP(first.Condition)}, {Optional(first.Otherwise, S)})", ValueKind.Single);
                return;
            case IrCallFunction function:
                var owner = function.Argument.Type.PopulationId is { } id ? scope.Owner(id) : "null";
                Declare(scope, instruction,
                    $"{rt}.CallFunction({CSharpLiterals.String(function.Name)}, {CSharpLiterals.Enum(function.Kind)}, {CSharpLiterals.Type(function.ResultType)}, {O(function.Argument)}, {owner})",
                    ValueKind.Object);
                return;
            case IrAdaptiveVote vote:
                Declare(scope, instruction,
                    $"{rt}.AdaptiveVote({S(vote.Count)}, {CSharpLiterals.String(vote.Model)}, {S(vote.Prompt)}, {Options(vote.Options)}, {S(vote.Wave)}, "
                    + $"{(vote.Answer ? "true" : "false")}, {(vote.Extractor is null ? "null" : CSharpLiterals.String(vote.Extractor))}, {Stream(vote.Stream)})",
                    ValueKind.Single);
                return;
            case IrLogProb logProb:
                var scoredOwner = logProb.Result!.Type.PopulationId is { } scoredId ? scope.Owner(scoredId) : "null";
                Declare(scope, instruction,
                    $"{rt}.LogProb({CSharpLiterals.String(logProb.Model)}, {O(logProb.Text)}, {O(logProb.After)}, {Optional(logProb.Particles, P)}, {scoredOwner})",
                    ValueKind.Object);
                return;
            case IrCallStrategy strategy:
                if (_module.Find(strategy.Callee) is null)
                {
                    Declare(scope, instruction, $"MissingStrategy({CSharpLiterals.String(strategy.Callee)})", ValueKind.Object);
                    return;
                }

                var callArguments = new[] { $"{rt}.ForCall({Stream(strategy.Stream)})" }.Concat(strategy.Arguments.Select(O)).Append("topLevel: false");
                Declare(scope, instruction, $"{BodyMethod(strategy.Callee)}({string.Join(", ", callArguments)})", ValueKind.Object);
                return;
            case IrRepeat repeat:
                {
                    var member = SubBatch(scope);
                    using (_writer.Block($"var {Name(repeat.Result!)} = {rt}.Repeat({S(repeat.Count)}, {Stream(repeat.Stream)}, ({member.Runtime}, {member.Projection}) =>", "});"))
                    {
                        EmitRegionBody(repeat.Member, member, ValueKind.Single);
                    }

                    scope.Define(repeat.Result!, new EmittedValue(Name(repeat.Result!), ValueKind.Population));
                    return;
                }

            case IrRefine refine:
                {
                    var step = SubBatch(scope);
                    var header = $"var {Name(refine.Result!)} = {rt}.Refine({S(refine.Initial)}, {S(refine.Rounds)}, {Stream(refine.Stream)}, "
                                 + $"({step.Runtime}, {step.Projection}, {Name(refine.Step.Parameters[0])}) =>";
                    var until = refine.Until is null ? null : SubBatch(scope);
                    var between = until is null ? "}, null);" : $"}}, ({until.Runtime}, {until.Projection}, {Name(refine.Until!.Parameters[0])}) =>";
                    using (_writer.Block(header, between))
                    {
                        step.Define(refine.Step.Parameters[0], new EmittedValue(Name(refine.Step.Parameters[0]), ValueKind.Single));
                        EmitRegionBody(refine.Step, step, ValueKind.Single);
                    }

                    if (until is not null)
                    {
                        using (_writer.Block(null, "});"))
                        {
                            until.Define(refine.Until!.Parameters[0], new EmittedValue(Name(refine.Until.Parameters[0]), ValueKind.Single));
                            EmitRegionBody(refine.Until, until, ValueKind.Single);
                        }
                    }

                    scope.Define(refine.Result!, new EmittedValue(Name(refine.Result!), ValueKind.Single));
                    return;
                }

            default:
                throw new NotSupportedException($"the C# emitter does not know {instruction.GetType().Name}");
        }
    }

    /// <summary>smc and search: the body runs once per step on the population at its start, sharing the enclosing scope.</summary>
    private void EmitStepLoop(EmitScope scope, IrInstruction owner, string call, IrRegion body, string trailingArguments = "")
    {
        var inner = new EmitScope(scope, scope.Runtime, null, $"step{scope.Depth + 1}");
        var parameter = body.Parameters[0];
        using (_writer.Block($"var {Name(owner.Result!)} = {call}({inner.BlockStep}, {Name(parameter)}) =>", $"}}{trailingArguments});"))
        {
            inner.Define(parameter, new EmittedValue(Name(parameter), ValueKind.Population));
            EmitRegionBody(body, inner, ValueKind.Population);
        }

        scope.Define(owner.Result!, new EmittedValue(Name(owner.Result!), ValueKind.Population));
    }

    /// <summary>A repeat member or refine round: its own runtime (the sub-batch) and projection, in a nested lambda.</summary>
    private static EmitScope SubBatch(EmitScope scope)
    {
        var depth = (scope.Depth + 1).ToString(CultureInfo.InvariantCulture);
        return new EmitScope(scope, "rt" + depth, "project" + depth, scope.BlockStep);
    }

    private void EmitRegionBody(IrRegion region, EmitScope scope, ValueKind yields)
    {
        if (scope.Projection is not null)
        {
            ProjectFreeValues(region, scope);
        }

        foreach (var instruction in region.Body)
        {
            EmitInstruction(instruction, scope, topLevel: false);
        }

        _writer.Line($"return {Read(scope, region.Yield, yields)};");
    }

    /// <summary>
    /// The per-run values a sub-batch reads from outside, projected onto its runs once at its top: the executor
    /// projects each on first read and keeps it, and projecting a per-run value is pure, so doing it first is the same.
    /// </summary>
    private void ProjectFreeValues(IrRegion region, EmitScope scope)
    {
        var defined = new HashSet<int>(region.Parameters.Select(p => p.Id)
            .Concat(IrTree.All(region.Body).SelectMany(i => i.Regions.SelectMany(r => r.Parameters).Append(i.Result)).OfType<IrValue>().Select(v => v.Id)));
        var read = IrTree.All(region.Body).SelectMany(i => i.Operands.Concat(i.Regions.Select(r => r.Yield))).Append(region.Yield);
        var free = read.Where(v => !defined.Contains(v.Id) && v.Type.Shape == IrShape.Single)
            .GroupBy(v => v.Id).Select(g => g.First()).ToList();
        if (free.Count == 0)
        {
            return;
        }

        _writer.Line("// per-run values from outside, seen from this sub-batch's runs");
        var depth = scope.Depth.ToString(CultureInfo.InvariantCulture);
        foreach (var value in free)
        {
            var outer = scope.Parent!.Resolve(value);
            var name = $"{Name(value)}_{depth}";
            _writer.Line($"var {name} = {scope.Projection}({outer.Expression});");
            scope.DefineProjected(value, new EmittedValue(name, ValueKind.Object));
        }
    }

    private void Declare(EmitScope scope, IrInstruction instruction, string expression, ValueKind kind)
    {
        var name = Name(instruction.Result!);
        _writer.Line($"var {name} = {expression};");
        scope.Define(instruction.Result!, new EmittedValue(name, kind));
    }

    /// <summary>A value as the executor hands it to the runtime: cast where it casts (Single, PopulationOf, ParticleValues).</summary>
    private static string Read(EmitScope scope, IrValue value, ValueKind wanted)
    {
        var emitted = scope.Resolve(value);
        if (wanted == ValueKind.Object || emitted.Kind == wanted)
        {
            return emitted.Expression;
        }

        if (emitted.Kind == ValueKind.SpawnCount)
        {
            throw new InvalidOperationException($"C# emitter: the spawn {value} is read by something other than its prefill");
        }

        var type = wanted switch
        {
            ValueKind.Single => "RunValues",
            ValueKind.PerParticle => "ParticleValues",
            ValueKind.Population => "Population",
            ValueKind.PopulationTuple => "Population[]",
            _ => throw new InvalidOperationException($"C# emitter: no cast to {wanted}"),
        };

        // A BatchValue local casts down; one of another static type is cast through object, so a mismatch fails at run
        // time as in the executor.
        return emitted.Kind == ValueKind.Object && wanted != ValueKind.PopulationTuple ? $"({type}){emitted.Expression}" : $"({type})(object){emitted.Expression}";
    }

    private static string Name(IrValue value) => "v" + value.Id.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}
