using Tts.Compiler.IR;
using Tts.Runtime.Execution;
using Tts.Runtime.Populations;
using Tts.Runtime.Rewards;

namespace Tts.Testing.Tests.Mutation;

/// <summary>
/// The twisted smc program of <see cref="TwistNotRemovedTests"/> written as the C# back end writes it: one
/// <see cref="StrategyRuntime"/> call per IR instruction, with the streams read from the compiled IR, so that its
/// correct form is bit-identical to the IR executor (the test checks this). Its mutant form swaps the smc loop for
/// <see cref="SmcForgettingTheLastTwist"/>: a planted fault that lives only here, never behind a flag in production code.
/// </summary>
internal sealed class TwistedSmcRunner(IrFunction function, int particles, int steps, string letter, double twistScale)
{
    private readonly IrPrefill _prefill = Find<IrPrefill>(function);
    private readonly IrExtend _extend = Find<IrExtend>(function);
    private readonly IrResample _resample = Find<IrResample>(function);
    private readonly IrSelectSample _select = Find<IrSelectSample>(function);

    public IReadOnlyList<RunResult> Run(ModelBindings models, RunOptions options, bool forgetTheLastTwist)
    {
        using var rt = StrategyRuntime.Create(models, new FunctionBindings(), options);
        var population = rt.Prefill(rt.Broadcast((long)particles), _prefill.Model, rt.Broadcast(""), _prefill.Shared);
        var extendOptions = new OptionValues(
            rt.Broadcast(1.0), rt.Broadcast(0L), rt.Broadcast(1.0), rt.Broadcast(0.0), rt.Broadcast(1L), rt.Broadcast(Array.Empty<object>()), rt.Broadcast(Array.Empty<object>()));
        Population Body(int step, Population ps)
        {
            ps = rt.Extend(ps, extendOptions, true, _extend.Stream, step);
            var psi = rt.Map([rt.ParticleText(ps)], args => twistScale * ((string)args[0]).Count(c => c.ToString() == letter));
            ps = rt.Twist(ps, psi);
            return rt.Resample(ps, _resample.Method, rt.Broadcast(0.5), _resample.Stream, step);
        }

        var limit = rt.Broadcast((long)steps);
        population = forgetTheLastTwist ? SmcForgettingTheLastTwist(rt, population, limit, Body) : rt.Smc(population, limit, Body);
        return rt.Results(rt.SelectSample(population, _select.Stream));
    }

    /// <summary>
    /// The planted fault: an smc loop whose steps are exactly right (each step's twist replaces the previous one in the
    /// weight), but which forgets to divide out the last twist when the block ends. It holds every particle's twist
    /// aside between steps, so the runtime's end-of-block removal finds nothing to remove.
    /// </summary>
    public static Population SmcForgettingTheLastTwist(StrategyRuntime rt, Population population, RunValues steps, Func<int, Population, Population> body)
    {
        double[]? held = null;
        return rt.Smc(population, steps, (step, ps) =>
        {
            if (held is not null)
            {
                Array.Copy(held, ps.Twists, held.Length);
            }

            var next = body(step, ps);
            held = (double[])next.Twists.Clone();
            Array.Clear(next.Twists);
            return next;
        });
    }

    private static T Find<T>(IrFunction function)
        where T : IrInstruction =>
        All(function.Instructions).OfType<T>().Single();

    private static IEnumerable<IrInstruction> All(IEnumerable<IrInstruction> instructions) =>
        instructions.SelectMany(i => new[] { i }.Concat(i.Regions.SelectMany(r => All(r.Body))));
}
