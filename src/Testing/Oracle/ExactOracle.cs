using System.Collections.Immutable;
using System.Globalization;
using Tts.Language.Binding;
using Tts.Language.Binding.BoundTree;
using Tts.Language.Binding.Symbols;
using Tts.Language.Syntax.Nodes;
using Tts.Runtime.Models.Tabular;
using Tts.Runtime.Rewards;
using Tts.Runtime.Sampling;
using Tts.Semantics;

namespace Tts.Testing.Oracle;

/// <summary>
/// The reference semantics of the language (DESIGN §3): interprets a checked program over its bound tree, with
/// tabular models, and computes exact laws by enumeration and closed forms — never through the compiler's lowering
/// or the runtime's executor, so it can judge both. Rewards, verifiers and extractors are the user's
/// <see cref="FunctionBindings"/> (deterministic functions of a text). Covers sample, spawn, smc (extend, factor,
/// observe, condition, twist, forbid masks), repeat, speculative, strategy calls, fork, let, race (its exact law with
/// one finisher), and the selections sample, best, vote and first. Search, race with several finishers, rank and
/// selections over weighted populations have no enumerated law: the oracle gives their reachable values (for support
/// checks) and the law of the particles they select from. Refine is refused.
/// </summary>
public sealed partial class ExactOracle
{
    private readonly BoundProgram _program;
    private readonly IReadOnlyDictionary<string, TabularModel> _models;
    private readonly FunctionBindings _functions;
    private readonly Dictionary<(string, string), object> _functionCache = new();
    private int _nextSource;

    // Set when an enumerated smc path is dropped by a false condition (with positive probability).
    private bool _conditionKilled;

    public ExactOracle(BoundProgram program, IReadOnlyDictionary<string, TabularModel> models, FunctionBindings? functions = null)
    {
        _program = program ?? throw new ArgumentNullException(nameof(program));
        _models = models ?? throw new ArgumentNullException(nameof(models));
        _functions = functions ?? new FunctionBindings();
    }

    /// <summary>
    /// Every sampling temperature of the program is multiplied by this (1 by default): the oracle then gives the laws
    /// of the same program run at a temperature off by that factor, the alternative a power figure is stated against.
    /// </summary>
    public double TemperatureScale { get; init; } = 1.0;

    /// <summary>The laws of <paramref name="strategy"/> run with <paramref name="arguments"/> (defaults fill the rest).</summary>
    public OracleResult Evaluate(string strategy, IReadOnlyDictionary<string, object>? arguments = null)
    {
        var bound = _program.FindStrategy(strategy) ?? throw new OracleException($"no strategy '{strategy}'");
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var parameter in bound.Symbol.Parameters)
        {
            if (arguments is not null && arguments.TryGetValue(parameter.Name, out var given))
            {
                values[parameter.Name] = given;
            }
            else if (parameter.DefaultValue is { } value)
            {
                values[parameter.Name] = value;
            }
            else
            {
                throw new OracleException($"strategy '{strategy}' needs a value for parameter '{parameter.Name}'");
            }
        }

        var frame = new Frame(values);
        var result = Run(bound, frame);
        return result switch
        {
            Known known => new OracleResult(bound, Distribution.PointMass(known.Value), Distribution.PointMass(known.Value), Distribution.PointMass(known.Value), null, null, Distribution.PointMass(known.Value)),
            RandomValue random => new OracleResult(bound, random.Output, random.Claimed, random.Target, random.Unavailable, frame.LogEvidence, random.Support),
            PopulationLaw population => new OracleResult(bound, population.Particle, population.Particle, population.Target,
                population.Particle is null ? "the law of a particle of a weighted population at finite N is not enumerated (only its target)" : null, frame.LogEvidence, population.Support),
            _ => throw new InvalidOperationException(),
        };
    }

    private Law Run(BoundStrategy strategy, Frame frame)
    {
        foreach (var statement in strategy.Body)
        {
            if (statement is BoundReturnStatement ret)
            {
                return ret.Value is BoundLocalReference { Local.IsPopulation: true } reference ? frame.Population(reference.Local) : Single(ret.Value, frame);
            }

            Execute(statement, frame);
        }

        throw new OracleException($"strategy '{strategy.Symbol.Name}' has no return statement");
    }

    private void Execute(BoundStatement statement, Frame frame)
    {
        switch (statement)
        {
            case BoundLetStatement let when let.Value.IsPerParticle:
                frame.PerParticleLets[let.Local] = let.Value;
                break;
            case BoundLetStatement let:
                frame.Locals[let.Local] = Single(let.Value, frame);
                break;
            case BoundSampleStatement sample:
            {
                var model = Model(sample.Model.Name);
                var prompts = PromptLaw(sample.Prompt, frame, "the prompt of a sample", out var shared);
                var options = Options(sample.Options, frame);
                var count = KnownCount(sample.Options.Count, frame);
                var law = Mixture(prompts, prompt => DecodeLaw.SampleText(model, prompt, options));
                frame.Populations[sample.Population] = new PopulationLaw(law, count, law, null) { SharedInput = shared };
                break;
            }

            case BoundPopulationStatement population:
                frame.Populations[population.Population] = PopulationOf(population.Value, frame);
                break;
            case BoundSmcStatement smc:
                frame.Populations[smc.Population] = Smc(smc, frame);
                break;
            case BoundRaceStatement race:
                frame.Populations[race.Population] = Race(race, frame);
                break;
            case BoundSearchStatement search:
                frame.Populations[search.Population] = Search(search, frame);
                break;
            case BoundForkStatement fork:
                foreach (var inner in fork.Body)
                {
                    Execute(inner, frame);
                }

                break;
            default:
                throw new OracleException($"the oracle has no law for `{Describe(statement)}` (a refined value feeds back into its own prompt: neither its law nor its support is enumerated)");
        }
    }

    private PopulationLaw PopulationOf(BoundExpression value, Frame frame)
    {
        switch (value)
        {
            case BoundLocalReference reference:
                return frame.Population(reference.Local);
            case BoundSpawn spawn:
            {
                var prompts = PromptLaw(spawn.Prompt, frame, "the prompt of spawn", out var shared);
                var empty = Distribution.PointMass("");
                return shared
                    ? new PopulationLaw(empty, KnownCount(spawn.Count, frame), empty, null) { SharedInput = true, SpawnPrompts = prompts }
                    : new PopulationLaw(empty, KnownCount(spawn.Count, frame), empty, (string)prompts.Outcomes[0].Value!);
            }

            case BoundRepeat repeat:
            {
                var count = KnownCount(repeat.Count, frame);
                var callee = Call(repeat.Call, frame);
                return callee switch
                {
                    Known known => new PopulationLaw(Distribution.PointMass(known.Value), count, Distribution.PointMass(known.Value), null),
                    RandomValue { Output: { } output } random => new PopulationLaw(output, count, random.Target, null),
                    RandomValue random => new PopulationLaw(null, count, random.Target, null, random.Support),
                    _ => throw new OracleException("repeat of a population-valued strategy"),
                };
            }

            case BoundSpeculative speculative:
            {
                // Speculative sampling emits tokens of the target model exactly (Leviathan et al. 2023): its law is the target's decoding law.
                var model = Model(speculative.Target.Name);
                Model(speculative.Draft.Name);
                var prompt = KnownText(speculative.Prompt, frame, "the prompt of speculative");
                var law = DecodeLaw.SampleText(model, prompt, Options(speculative.Options, frame));
                return new PopulationLaw(law, KnownCount(speculative.Options.Count, frame), law, null);
            }

            case BoundStrategyCall call:
                return Call(call, frame) as PopulationLaw ?? throw new OracleException($"'{call.Strategy.Name}' does not return a population");
            case BoundRank rank:
            {
                // The top k by a key: a deterministic choice among the particles, so its support is theirs; its law is not enumerated.
                var source = frame.Population(rank.PopulationSymbol);
                return new PopulationLaw(null, Math.Min(source.Count, KnownCount(rank.Top, frame, "top")), source.Target, null, source.Support);
            }

            default:
                throw new OracleException($"the oracle has no law for the population {value.GetType().Name.Replace("Bound", "", StringComparison.Ordinal)}");
        }
    }

    /// <summary>
    /// The target of an smc block by enumeration: every particle path from the spawned prompt, each step running the
    /// body once for every particle that has not ended (EOS): extend enumerates the step's continuations (forbidden
    /// tokens get probability 0 — the mask's correction puts their mass back into the weight, so the target is
    /// p(x)·1[no forbidden token]); factor adds its value, observe adds log p, condition drops the path, twist is
    /// left out (twists telescope away). γ(x) is the sum over paths reaching text x of p(path)·exp(Σ weights).
    /// </summary>
    private PopulationLaw Smc(BoundSmcStatement smc, Frame frame)
    {
        _conditionKilled = false;
        var law = SmcLaw(smc, frame);
        if (!_conditionKilled || law.Target is not { } target)
        {
            return law;
        }

        // A false condition kills a particle, and every particle of a run can die (the last step's condition kills
        // after the last resampling): a selection over it may give no output, which its reachable values must hold.
        var withNone = Distribution.FromMasses(target.Probabilities.Append(new KeyValuePair<Outcome, double>(Outcome.None, 1.0)));
        return law with { Reachable = withNone };
    }

    private PopulationLaw SmcLaw(BoundSmcStatement smc, Frame frame)
    {
        var start = frame.Population(smc.Population);
        if (start.SpawnPrompts is { } prompts)
        {
            // Particles sharing a random prompt: each run's weights are normalized given its prompt, so the law is the
            // mixture of the per-prompt targets by the prompt's law (what the runtime converges to; the compiler calls
            // it heuristic when the block reweights, exact when it does not).
            var mixture = Mixture(prompts, prompt => SmcTarget(smc, prompt, frame));
            frame.LogEvidence = null;
            return new PopulationLaw(null, start.Count, mixture, null) { SharedInput = true };
        }

        if (start.SpawnPrompt is null)
        {
            throw new OracleException($"the oracle enumerates smc only over a spawned population, and '{smc.Population.Name}' was not spawned");
        }

        var target = SmcTarget(smc, start.SpawnPrompt, frame);
        if (smc.Iterations is { } iterations && start.Count <= MaxGibbsParticles)
        {
            // Particle Gibbs: the law of a draw from the last sweep, by enumerating every sweep's random choices.
            var sampled = ParticleGibbsSample(smc, start.SpawnPrompt, start.Count, KnownCount(iterations, frame, "iterations"), frame);
            return new PopulationLaw(null, start.Count, target, null) { Sampled = sampled };
        }

        // Step speculation without weights or resampling: every particle drafts and redraws on its own keys, so the
        // particles are i.i.d. draws of the block's law and selections over them have an enumerable law. (The same holds
        // for any such block; it is stated for the blocks with reextend, whose exact claim needs it.)
        var independent = smc.Resample == ResampleMethod.None && smc.Iterations is null && smc.Body.Any(s => s is BoundReextendStatement)
                          && smc.Body.All(s => s is BoundExtendStatement or BoundReextendStatement or BoundLetStatement)
                          && smc.Body.OfType<BoundExtendStatement>().All(e => Options(e.Options, frame).Forbid.Count == 0)
                          && smc.Body.OfType<BoundReextendStatement>().All(e => Options(e.Options, frame).Forbid.Count == 0);
        return new PopulationLaw(independent ? target : null, start.Count, target, null);
    }

    /// <summary>The smc block's normalized target from one prompt; sets the frame's log evidence.</summary>
    private Distribution SmcTarget(BoundSmcStatement smc, string prompt, Frame frame)
    {
        var steps = KnownCount(smc.Steps, frame);
        var paths = EnumeratePaths("smc", smc.Body, smc.Population, prompt, steps, frame, onStep: null);
        var masses = paths.Select(p => (Text: p.State.Text, Mass: p.Mass * Math.Exp(p.LogWeight))).ToList();
        var total = masses.Sum(m => m.Mass);
        frame.LogEvidence = Math.Log(total);
        return Distribution.FromMasses(masses.Select(m => new KeyValuePair<Outcome, double>(new Outcome(m.Text), m.Mass)));
    }

    /// <summary>
    /// <c>race</c>: k i.i.d. draws decoded in lockstep, keeping the first m to finish (by the step of the token that
    /// ended them, ties to the lower row). With m = 1 the kept draw is the best of k with score −(finish step), ties to
    /// the first draw: exactly <see cref="SelectionLaws.BestOfN"/> over (text, finish step). With m &gt; 1 the kept
    /// particles are dependent; only their support (the decoding law's) is given.
    /// </summary>
    private PopulationLaw Race(BoundRaceStatement race, Frame frame)
    {
        var model = Model(race.Model.Name);
        var prompt = KnownText(race.Prompt, frame, "the prompt of a race");
        var options = Options(race.Options, frame);
        var count = KnownCount(race.Options.Count, frame);
        var first = Math.Min(count, KnownCount(race.First, frame, "first"));
        var masses = new Dictionary<Outcome, double>();
        foreach (var (state, probability) in DecodeLaw.Step(model, DecodeLaw.Start(model, prompt), options, renormalizeMask: true, cutAtStop: true))
        {
            var key = new Outcome(string.Create(CultureInfo.InvariantCulture, $"{state.Generated - 1}{FinishSeparator}{state.Text}"));
            masses[key] = masses.GetValueOrDefault(key) + probability;
        }

        var timed = Distribution.FromProbabilities(masses);
        static object Text(object? timedText) => ((string)timedText!)[(((string)timedText!).IndexOf(FinishSeparator, StringComparison.Ordinal) + 1)..];
        var texts = timed.Map(Text);
        if (first > 1)
        {
            return new PopulationLaw(null, first, texts, null, texts);
        }

        static double Finish(Outcome o) => double.Parse(((string)o.Value!)[..((string)o.Value!).IndexOf(FinishSeparator, StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var winner = SelectionLaws.BestOfN(timed, o => -Finish(o), count).Map(Text);
        return new PopulationLaw(winner, 1, texts, null);
    }

    private const char FinishSeparator = '\u0001';

    /// <summary>Particle Gibbs is enumerated up to this many particles (the systems grow as branches^N per step); above it only its target is given.</summary>
    private const int MaxGibbsParticles = 3;

    private Law Call(BoundStrategyCall call, Frame frame)
    {
        var callee = _program.FindStrategy(call.Strategy.Name) ?? throw new OracleException($"no strategy '{call.Strategy.Name}'");
        var arguments = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < call.Arguments.Length; i++)
        {
            arguments[callee.Symbol.Parameters[i].Name] = Fixed(call.Arguments[i], frame, $"argument '{callee.Symbol.Parameters[i].Name}' of {callee.Symbol.Name}");
        }

        var inner = new Frame(arguments);
        var law = Run(callee, inner);
        frame.LogEvidence ??= inner.LogEvidence;
        return law;
    }

    /// <summary>The law of a single (not per-particle) expression.</summary>
    private Law Single(BoundExpression expression, Frame frame)
    {
        switch (expression)
        {
            case BoundLiteral literal:
                return new Known(literal.Value);
            case BoundParameterReference parameter:
                return new Known(frame.Arguments[parameter.Parameter.Name]);
            case BoundLocalReference local:
                return frame.Locals.TryGetValue(local.Local, out var law) ? law : throw new OracleException($"'{local.Local.Name}' has no value here");
            case BoundSelection selection:
                return Select(selection, frame);
            case BoundStrategyCall call:
                return Call(call, frame);
            case BoundUnary unary:
                return Lift([unary.Operand], frame, args => Operators.Evaluate(unary.Operator, args[0]));
            case BoundBinary binary:
                return Lift([binary.Left, binary.Right], frame, args => Operators.Evaluate(binary.Operator, args[0], args[1]));
            case BoundBuiltinCall call:
                return Lift(call.Arguments, frame, args => call.Function.Evaluate(args));
            case BoundFunctionCall call:
                return Lift([call.Argument], frame, args => CallFunction(call.Function, (string)args[0]));
            case BoundAdaptiveVote vote:
                return AdaptiveVote(vote, frame);
            case BoundLogProb logProb:
                return Lift([logProb.Text, logProb.After], frame, args => TextLogProb(logProb.Model.Name, (string)args[0], (string)args[1]));
            case BoundList list:
                return Lift(list.Elements, frame, args => args.ToArray());
            default:
                throw new OracleException($"the oracle has no law for {expression.GetType().Name.Replace("Bound", "", StringComparison.Ordinal)}");
        }
    }

    /// <summary>f(operands): computed when all are known, pushed forward when exactly one is random, refused when several are (their joint law is not tracked).</summary>
    private Law Lift(IReadOnlyList<BoundExpression> operands, Frame frame, Func<object[], object> apply)
    {
        var laws = operands.Select(o => Single(o, frame)).ToList();
        var random = laws.OfType<RandomValue>().Select(r => r.Source).Distinct().ToList();
        if (random.Count == 0)
        {
            return new Known(apply(laws.Select(l => ((Known)l).Value!).ToArray()));
        }

        if (random.Count > 1)
        {
            throw new OracleException("a value combines several random values, whose joint law the oracle does not track");
        }

        var source = laws.OfType<RandomValue>().First();
        object? Map(object? value) => value is null ? null : apply(laws.Select(l => l is Known k ? k.Value! : value).ToArray());
        return new RandomValue(source.Output?.Map(Map), source.Claimed?.Map(Map), source.Target?.Map(Map), source.Unavailable, source.Source, source.Reachable?.Map(Map));
    }

    private Law Select(BoundSelection selection, Frame frame)
    {
        var population = frame.Population(selection.PopulationSymbol);
        var source = _nextSource++;
        // Particles sharing a random input are i.i.d. only given it: one of them follows the mixture (sample), but the
        // selections that compare or condition across particles have no i.i.d. law.
        var particles = population.SharedInput && selection.Kind != SelectionKind.Sample ? null : population.Particle;
        string Text(Outcome o) => (string)o.Value!;
        object Key(Outcome o) => PerParticle(selection.Key!, frame, selection.PopulationSymbol, Text(o), frame.PerParticleLets);

        // Repeat members that gave no output are absent: every selection acts on the live ones (OverLiveMembers).
        Distribution? OverLive(Func<Distribution, int, Distribution> law, Outcome whenNoneLive) =>
            particles is null ? null : SelectionLaws.OverLiveMembers(particles, population.Count, law, whenNoneLive);
        var liveParticles = particles is null || particles[Outcome.None] is 0.0 or 1.0 ? particles : particles.Where(o => !o.IsNone);
        var unavailable = particles is null && population.SharedInput
            ? $"{selection.Kind.ToString().ToLowerInvariant()}({selection.PopulationSymbol.Name}) over draws that share a random input: they are i.i.d. only given it, and the oracle does not enumerate the mixture of this selection"
            : particles is null
            ? $"{selection.Kind.ToString().ToLowerInvariant()}({selection.PopulationSymbol.Name}) over a population whose particles are not i.i.d. (weighted, searched, raced or ranked): its finite-N law is not enumerated"
            : null;
        switch (selection.Kind)
        {
            case SelectionKind.Sample when population.Sampled is { } sampled:
                return new RandomValue(sampled, sampled, population.Target, null, source, population.Support);
            case SelectionKind.Sample:
                return new RandomValue(OverLive((live, _) => live, Outcome.None), liveParticles, population.Target, unavailable, source, population.Support);
            case SelectionKind.Best:
            {
                var output = OverLive((live, m) => SelectionLaws.BestOfN(live, o => ToDouble(Key(o)), m), Outcome.None);
                if (output is null && population.Searched is { } searched && searched.Child.Probabilities.Keys.All(o => ToDouble(Key(o)) == searched.Score(o)))
                {
                    // A one-step search selected by its own score: the best of all its i.i.d. children.
                    output = SelectionLaws.BestOfN(searched.Child, searched.Score, searched.Children);
                    unavailable = null;
                }

                return new RandomValue(output, output, population.Target, unavailable, source, population.Support);
            }

            case SelectionKind.Vote:
            {
                Outcome VoteKey(Outcome o) => selection.Key is null ? o : new Outcome(Key(o));
                Distribution? output = null;
                if (particles is not null)
                {
                    output = selection.Weight is null
                        ? OverLive((live, m) => SelectionLaws.Vote(live, VoteKey, m), Outcome.None)
                        : OverLive((live, m) => SelectionLaws.WeightedVote(live, VoteKey, o => ToDouble(PerParticle(selection.Weight, frame, selection.PopulationSymbol, Text(o), frame.PerParticleLets)), m), Outcome.None);
                }

                return new RandomValue(output, output, population.Target?.Map(v => v is null ? null : VoteKey(new Outcome(v)).Value), unavailable, source,
                    population.Support?.Map(v => v is null ? null : VoteKey(new Outcome(v)).Value));
            }

            default:
            {
                bool Accept(Outcome o) => !o.IsNone && (bool)Key(o);
                if (particles is null && selection.Otherwise is not null && Single(selection.Otherwise, frame) is RandomValue { Support: { } fallbackSupport })
                {
                    // A random fallback (e.g. the best particle) over a population with no enumerated law: only the support is known.
                    var passingSupport = population.Support?.Probabilities.Keys.Where(Accept).Select(o => new KeyValuePair<Outcome, double>(o, 1.0)) ?? [];
                    var union = Distribution.FromMasses(passingSupport.Concat(fallbackSupport.Probabilities));
                    var passingTarget = population.Target is null || !population.Target.Probabilities.Keys.Any(Accept) ? null : population.Target.Where(Accept);
                    return new RandomValue(null, null, passingTarget, unavailable, source, union);
                }

                var fallback = selection.Otherwise is null ? Outcome.None : new Outcome(Fixed(selection.Otherwise, frame, "the fallback of first"));
                var output = OverLive((live, m) => SelectionLaws.Rejection(live, Accept, m, fallback), fallback);
                var passing = particles is null || !particles.Probabilities.Keys.Any(Accept) ? null : particles.Where(Accept);
                var target = population.Target is null || !population.Target.Probabilities.Keys.Any(Accept) ? null : population.Target.Where(Accept);
                // Reachable: one draw, replaced by the fallback when rejected (the law of first with a budget of one).
                var reachable = population.Support?.Map(v => Accept(new Outcome(v)) ? v : fallback.Value);
                return new RandomValue(output, passing, target, unavailable, source, reachable);
            }
        }
    }

    /// <summary>A per-particle expression of <paramref name="population"/> for the particle with text <paramref name="text"/>.</summary>
    private object PerParticle(
        BoundExpression expression, Frame frame, LocalSymbol population, string text, IReadOnlyDictionary<LocalSymbol, BoundExpression> lets, ParticleState? state = null)
    {
        object Recurse(BoundExpression e) => PerParticle(e, frame, population, text, lets, state);
        switch (expression)
        {
            case BoundParticleText particle when particle.PopulationSymbol == population:
                return text;
            case BoundLocalReference local when lets.TryGetValue(local.Local, out var definition):
                return Recurse(definition);
            case BoundUnary unary:
                return Operators.Evaluate(unary.Operator, Recurse(unary.Operand));
            case BoundBinary binary:
                return Operators.Evaluate(binary.Operator, Recurse(binary.Left), Recurse(binary.Right));
            case BoundBuiltinCall call:
                return call.Function.Evaluate(call.Arguments.Select(Recurse).ToArray());
            case BoundFunctionCall call:
                return CallFunction(call.Function, (string)Recurse(call.Argument));
            case BoundLogProb logProb:
                return ParticleLogProb(logProb, population, state, Recurse);
            case BoundStepLogProb stepLogProb when stepLogProb.PopulationSymbol == population:
                return StepLogProb(stepLogProb, state);
            case BoundList list:
                return list.Elements.Select(Recurse).ToArray();
            case { IsPerParticle: false }:
                return Fixed(expression, frame, "a value used per particle");
            default:
                throw new OracleException($"the oracle cannot evaluate {expression.GetType().Name.Replace("Bound", "", StringComparison.Ordinal)} per particle of '{population.Name}'");
        }
    }

    private object CallFunction(FunctionSymbol function, string text)
    {
        if (_functionCache.TryGetValue((function.Name, text), out var cached))
        {
            return cached;
        }

        object value = function.Kind switch
        {
            FunctionKind.Reward => _functions.Reward(function.Name, function.ResultType.Kind == TypeKind.Prob ? RewardKind.Prob : RewardKind.Score).Evaluate([text])[0],
            FunctionKind.Verifier => _functions.Verifier(function.Name).Verify([text])[0],
            _ => _functions.Extractor(function.Name).Extract([text])[0],
        };
        _functionCache[(function.Name, text)] = value;
        return value;
    }

    private object Fixed(BoundExpression expression, Frame frame, string what) =>
        Single(expression, frame) is Known known
            ? known.Value ?? throw new OracleException($"{what} has no value")
            : throw new OracleException($"{what} is random; the oracle needs it fixed");

    private string KnownText(BoundExpression expression, Frame frame, string what) => (string)Fixed(expression, frame, what);

    private int KnownCount(BoundExpression expression, Frame frame, string what = "a count")
    {
        var value = Convert.ToInt64(Fixed(expression, frame, what), CultureInfo.InvariantCulture);
        return value is >= 1 and <= int.MaxValue ? (int)value : throw new OracleException($"{what} is {value}; it must be at least 1");
    }

    private StepOptions Options(BoundDecodeOptions options, Frame frame)
    {
        var sampling = new SamplingOptions(
            ToDouble(Fixed(options.Temperature, frame, "temperature")) * TemperatureScale,
            (int)Math.Min(int.MaxValue, Convert.ToInt64(Fixed(options.TopK, frame, "top_k"), CultureInfo.InvariantCulture)),
            ToDouble(Fixed(options.TopP, frame, "top_p")),
            ToDouble(Fixed(options.MinP, frame, "min_p")));
        var maxTokens = (int)Math.Min(int.MaxValue, Convert.ToInt64(Fixed(options.MaxTokens, frame, "max_tokens"), CultureInfo.InvariantCulture));
        return new StepOptions(sampling, maxTokens, Texts(Fixed(options.Stop, frame, "stop")), Texts(Fixed(options.Forbid, frame, "forbid")));

        static IReadOnlyList<string> Texts(object value) => value switch
        {
            string s => [s],
            object[] list => list.Cast<string>().ToArray(),
            _ => throw new OracleException($"expected text or a list of texts, got {value}"),
        };
    }

    private TabularModel Model(string name) =>
        _models.TryGetValue(name, out var model)
            ? model
            : throw new OracleException($"model '{name}' is not bound to a tabular model (bound: {string.Join(", ", _models.Keys)})");

    private static double ToDouble(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static string Describe(BoundStatement statement) => statement.GetType().Name.Replace("Bound", "", StringComparison.Ordinal).Replace("Statement", "", StringComparison.Ordinal).ToLowerInvariant();

    private abstract record Law;

    private sealed record Known(object? Value) : Law;

    /// <summary>A random single value: its exact law (null when not enumerable), the claimed part of it, its target, and which random source it comes from.</summary>
    private sealed record RandomValue(Distribution? Output, Distribution? Claimed, Distribution? Target, string? Unavailable, int Source, Distribution? Reachable = null) : Law
    {
        /// <summary>A law whose support holds every value a run can return (the output law when known).</summary>
        public Distribution? Support => Output ?? Reachable ?? Target;
    }

    /// <summary>A population: the law of each of its i.i.d. particles (null for a weighted one), their number, their target, and the prompt of a spawn.</summary>
    private sealed record PopulationLaw(
        Distribution? Particle, int Count, Distribution? Target, string? SpawnPrompt, Distribution? Reachable = null, OneStepSearch? Searched = null) : Law
    {
        /// <summary>The particles share a random input (a prompt drawn earlier): i.i.d. only given it.</summary>
        public bool SharedInput { get; init; }

        /// <summary>For a spawn from a random prompt: the prompt's law (<see cref="SpawnPrompt"/> is null).</summary>
        public Distribution? SpawnPrompts { get; init; }

        /// <summary>The exact law of <c>sample</c> from this weighted population, where enumerated (particle Gibbs).</summary>
        public Distribution? Sampled { get; init; }

        /// <summary>A law whose support holds every particle the population can hold (one particle's law, when known).</summary>
        public Distribution? Support => Particle ?? Reachable ?? Target;
    }

    /// <summary>A beam or diverse search from one prompt whose every child ended in the first step: <see cref="Children"/> i.i.d. draws of <see cref="Child"/>, ranked by <see cref="Score"/>.</summary>
    private sealed record OneStepSearch(Distribution Child, int Children, Func<Outcome, double> Score);

    private sealed class Frame(IReadOnlyDictionary<string, object> arguments)
    {
        public IReadOnlyDictionary<string, object> Arguments { get; } = arguments;

        public Dictionary<LocalSymbol, Law> Locals { get; } = new();

        public Dictionary<LocalSymbol, BoundExpression> PerParticleLets { get; } = new();

        public Dictionary<LocalSymbol, PopulationLaw> Populations { get; } = new();

        public double? LogEvidence { get; set; }

        public PopulationLaw Population(LocalSymbol symbol) =>
            Populations.TryGetValue(symbol, out var law) ? law : throw new OracleException($"population '{symbol.Name}' has no law here");
    }
}
