using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Tts.Runtime.Tests.Emit;

/// <summary>A random well-typed program, the random tabular model it runs on, and the seed.</summary>
public sealed record RandomCase(string Program, string ModelJson, ulong Seed)
{
    public override string ToString() => $"seed {Seed}\n--- model\n{ModelJson}\n--- program\n{Program}";
}

/// <summary>
/// Generators of small well-typed .tts strategies over one model: sampling, smc, search, best, vote, first, repeat
/// of a helper strategy, plain strategy calls, calls of a strategy whose body holds a repeat or refine (stopped, among
/// others, by a confidence exit on `logp`), forks of sibling samples and adaptive votes, with random decoding and block
/// options (particle Gibbs `iterations`, `temper`, mcts and puct searches, conditions on a partial reward, a step
/// redrawn by `reextend` when a condition or a `uniform` acceptance on `step_logp` says so);
/// and of random tabular models (vocabulary of at most 5 tokens, order at most 2, at most 5 tokens per text).
/// </summary>
internal static class RandomPrograms
{
    private static string Real(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);

    private static Gen<string> DecodeOptions =>
        from temperature in Gen.Elements(0.0, 0.7, 1.0, 1.5)
        from topK in Gen.Elements(0, 1, 2)
        from topP in Gen.Elements(1.0, 0.9, 0.5)
        from maxTokens in Gen.Choose(1, 5)
        from stop in Gen.Elements("", ", stop: \"b\"", ", stop: [\"ab\", \"c\"]")
        select $"temperature: {Real(temperature)}, top_k: {topK}, top_p: {Real(topP)}, max_tokens: {maxTokens}{stop}";

    /// <summary>A text out of population <paramref name="xs"/>.</summary>
    private static Gen<string> Selection(string xs) => Gen.Elements(
        $"sample({xs})",
        $"best({xs}, by: r)",
        $"best({xs}, by: count({xs}, \"a\") - len({xs}) / 3)",
        $"vote({xs})",
        $"vote({xs}, key: answer({xs}))",
        $"vote({xs}, key: answer({xs}), weight: r)",
        $"first({xs}, where: ok({xs}), otherwise: \"none\")",
        $"first({xs}, where: contains({xs}, \"a\") and len({xs}) >= 2, otherwise: best({xs}, by: len({xs})))");

    private static Gen<string> Sample(string prompt) =>
        from n in Gen.Choose(1, 4)
        from options in DecodeOptions
        from selection in Selection("xs")
        select $"    population xs = sample policy({prompt}, n: {n}, {options})\n    return {selection}\n";

    /// <summary>
    /// A fork of two or three sibling samples (fused at -O1 when their options match, as two times in three here),
    /// over the prompt, another prompt, or a helper call, joined into one text.
    /// </summary>
    private static Gen<string> Fork =>
        from counts in Gen.ArrayOf(Gen.Choose(1, 4), 3)
        from options in DecodeOptions
        from other in DecodeOptions
        from same in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
        from prompt in Gen.Elements("prompt", "prompt + \"a\"", "\"ab\"")
        from third in Gen.Elements("", "        population zs = sample policy(\"a\", n: {0}, {1})\n", "        let h = helper(prompt)\n")
        from first in Selection("xs")
        from second in Selection("ys")
        let thirdBranch = string.Format(CultureInfo.InvariantCulture, third, counts[2], options)
        let thirdValue = third.Contains("zs", StringComparison.Ordinal) ? " + sample(zs)" : third.Length > 0 ? " + h" : ""
        select "    fork {\n"
               + $"        population xs = sample policy(prompt, n: {counts[0]}, {options})\n"
               + $"        population ys = sample policy({prompt}, n: {counts[1]}, {(same ? options : other)})\n"
               + thirdBranch
               + "    }\n"
               + $"    return {first} + \" \" + {second}{thirdValue}\n";

    private static Gen<string> Smc =>
        from n in Gen.Choose(1, 4)
        from method in Gen.Elements("multinomial", "systematic", "stratified", "residual")
        from ess in Gen.Elements("", ", ess < 0.5", ", ess < 1.0")
        from steps in Gen.Choose(1, 4)
        from maxTokens in Gen.Choose(1, 3)
        from update in Gen.Elements(
            "factor ps += weight(0.5 * count(ps, \"a\"))",
            "condition ps: ok(ps)",
            "condition ps: real(r(ps)) >= 0.3",
            "observe ps: prob(0.2 + 0.1 * len(ps))",
            "twist ps = log(r(ps))",
            "factor ps += logp(policy, ps, after: prompt) / 2.0",
            "factor ps += logp(policy, \"a\", after: prompt + ps)")
        from extra in Gen.Elements("", "", ", temper = 0.7", ", iterations = 2", ", iterations = 3")
        from redraw in Gen.Elements(
            "",
            "",
            "        reextend ps where not ends_with(ps, \"a\") by policy(max_tokens: {0})\n",
            "        let step = step_logp(policy, ps)\n        reextend ps where uniform(ps) >= exp(real(step) / 2.0) by policy(temperature: 0.7, max_tokens: {0})\n")
        from selection in Selection("ps")
        // Particle Gibbs needs multinomial resampling at every step, and weights that never kill every particle (a sweep
        // must leave a reference to draw): factor and observe only.
        let gibbs = extra.StartsWith(", iterations", StringComparison.Ordinal)
        let options = !gibbs || (method == "multinomial" && ess.Length == 0 && (update.StartsWith("factor", StringComparison.Ordinal) || update.StartsWith("observe", StringComparison.Ordinal))) ? extra : ""
        select $"    population ps = spawn({n}, prompt: prompt)\n"
               + $"    smc ps with resample = {method}{ess}{options}, steps <= {steps} {{\n"
               + $"        extend ps by policy(max_tokens: {maxTokens})\n"
               // Step speculation's redraw, with the one model of these programs: heuristic, but the same rollback,
               // redraw and re-prefill as with two; not under particle Gibbs, whose sweeps it does not join.
               + (options.StartsWith(", iterations", StringComparison.Ordinal) ? "" : string.Format(CultureInfo.InvariantCulture, redraw, maxTokens))
               + $"        {update}\n"
               + "    }\n"
               + $"    return {selection}\n";

    private static Gen<string> Search =>
        from method in Gen.Elements("beam", "diverse", "best_first", "mcts", "puct")
        from width in Gen.Choose(1, 3)
        from expand in Gen.Choose(1, 3)
        from steps in Gen.Choose(1, 3)
        from maxTokens in Gen.Choose(1, 3)
        from prune in Gen.Elements("", "        condition ps: not ends_with(ps, \"c\")\n", "        condition ps: real(r(ps)) >= 0.3\n")
        from selection in Selection("ps")
        select $"    population ps = spawn(1, prompt: prompt)\n"
               + $"    search ps with method = {method}{(method == "diverse" ? ", groups = 2" : "")}{(method is "mcts" or "puct" ? ", explore = 0.7" : $", width = {width}")}, expand = {expand}, steps <= {steps} {{\n"
               + $"        extend ps by policy(max_tokens: {maxTokens})\n"
               + "        score ps = r(ps)\n"
               + prune
               + "    }\n"
               + $"    return {selection}\n";

    private static Gen<string> Repeat =>
        from k in Gen.Choose(1, 3)
        from selection in Selection("hs")
        select $"    population hs = repeat({k}, helper(prompt))\n    return {selection}\n";

    private static Gen<string> AdaptiveVote =>
        from n in Gen.Choose(1, 6)
        from wave in Gen.Choose(1, 3)
        from maxTokens in Gen.Choose(1, 3)
        from key in Gen.Elements("", ", key: answer")
        select $"    return adaptive_vote(prompt, from: policy, n: {n}, wave: {wave}, max_tokens: {maxTokens}{key})\n";

    private static Gen<string> Call =>
        Gen.Elements("    return helper(prompt + \"a\")\n", "    let h = helper(prompt)\n    return helper(h)\n");

    /// <summary>
    /// The body of <c>middle</c>, a strategy between main and helper whose body holds a repeat or a refine: inlined at
    /// -O1, its sub-batch keeps the keying the executor gives a call's repeat member or refine round.
    /// </summary>
    private static Gen<string> Middle =>
        Gen.OneOf(
            from k in Gen.Choose(1, 3)
            from selection in Selection("hs")
            select $"    population hs = repeat({k}, helper(prompt))\n    return {selection}\n",
            from rounds in Gen.Choose(1, 3)
            from until in Gen.Elements("", ", until = ok(x)", ", until = len(x) >= 3", ", until = len(x) > 0 and real(logp(policy, x, after: prompt)) / max(len(x), 1) >= -1.0")
            from step in Gen.Elements("helper(prompt + x)", "helper(x + \"a\")")
            select $"    refine x = helper(prompt) by {step} with rounds <= {rounds}{until}\n    return x\n");

    /// <summary>Main calls <c>middle</c>: once, twice (the second on the first's output), or as a repeat's member.</summary>
    private static Gen<string> CallMiddle =>
        Gen.Elements(
            "    return middle(prompt)\n",
            "    let m = middle(prompt)\n    return middle(m + \"a\") + \" \" + m\n",
            "    population ms = repeat(2, middle(prompt))\n    return sample(ms) + \" \" + vote(ms)\n");

    public static Gen<string> Program =>
        from helper in Sample("prompt")
        from middle in Middle
        from main in Gen.Frequency(
            (3, Sample("prompt")), (3, Smc), (2, Search), (2, Repeat), (1, Call), (3, Fork), (1, AdaptiveVote), (2, CallMiddle))
        select "model policy: lm\nreward r: Score\nverifier ok\n\n"
               + "strategy helper(prompt: text) -> text {\n" + helper + "}\n\n"
               + (main.Contains("middle(", StringComparison.Ordinal) ? "strategy middle(prompt: text) -> text {\n" + middle + "}\n\n" : "")
               + "strategy main(prompt: text = \"a\") -> text {\n" + main + "}\n";

    /// <summary>Tokens are single letters ("a" always, so the prompts tokenize); rows for "" and some contexts.</summary>
    public static Gen<string> Model =>
        from letters in Gen.Choose(1, 4)
        from order in Gen.Choose(1, 2)
        from maxTokens in Gen.Choose(1, 5)
        let vocabulary = "abcd".Substring(0, letters).Select(c => c.ToString()).Append("<eos>").ToArray()
        let contexts = order == 1 ? vocabulary.Take(letters).ToArray() : vocabulary.Take(letters).SelectMany(x => new[] { x, "a " + x }).Distinct().ToArray()
        from present in Gen.ListOf(Gen.Elements(true, false), contexts.Length)
        from rows in Gen.ListOf(Row(vocabulary.Length), contexts.Length + 1)
        select "{\"format\": \"tts-tabular-lm/1\", \"vocab\": [" + string.Join(", ", vocabulary.Select(t => $"\"{t}\"")) + "], \"eos\": \"<eos>\", "
               + $"\"order\": {order}, \"max_tokens\": {maxTokens}, \"probs\": {{\"\": {rows[0]}"
               + string.Concat(contexts.Where((_, i) => present[i]).Select((c, i) => $", \"{c}\": {rows[i + 1]}")) + "}}";

    /// <summary>Probabilities from integer weights 0..4 (not all zero), exact enough to sum to 1 within the parser's tolerance.</summary>
    private static Gen<string> Row(int size) =>
        Gen.ListOf(Gen.Choose(0, 4), size).Where(w => w.Sum() > 0)
            .Select(w => "[" + string.Join(", ", w.Select(x => ((double)x / w.Sum()).ToString("R", CultureInfo.InvariantCulture))) + "]");

    public static Gen<RandomCase> Case =>
        from program in Program
        from model in Model
        from seed in Gen.Choose(0, int.MaxValue)
        select new RandomCase(program, model, (ulong)seed);
}
