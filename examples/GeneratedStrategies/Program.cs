using System.Globalization;
using Tts.Generated;
using Tts.Runtime.Execution;
using Tts.Runtime.Models.Tabular;

namespace GeneratedStrategies;

/// <summary>
/// Runs the four generated strategies on the tabular model shipped with the examples and prints what they return and
/// spend. `dotnet run --project examples/GeneratedStrategies [-- SEED]`.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var seed = args.Length > 0 ? ulong.Parse(args[0], CultureInfo.InvariantCulture) : 7UL;
        using var model = TabularModel.Load(Path.Combine(AppContext.BaseDirectory, "models", "abc.json"));
        var checks = new Checks(minimumLength: 2);

        // One run, parameters as C# arguments with the .tts defaults.
        var once = await CheckedStrategies.SampleOnce.RunAsync(model, temperature: 0.7, seed: seed);
        Print(CheckedStrategies.SampleOnce.Name, CheckedStrategies.SampleOnce.Guarantee, once.Output, once.Spent);

        var best = await AnswersStrategies.BestOfN.RunAsync(model, n: 8, seed: seed);
        Print(AnswersStrategies.BestOfN.Name, AnswersStrategies.BestOfN.Guarantee, best.Output, best.Spent);

        var vote = await AnswersStrategies.WeightedVote.RunAsync(model, seed: seed);
        Print(AnswersStrategies.WeightedVote.Name, AnswersStrategies.WeightedVote.Guarantee, vote.Output, vote.Spent);

        // Many runs, batched together: run i is keyed by (seed, i), so each equals `tts run --seed` run i.
        const int runs = 1000;
        var accepted = await CheckedStrategies.FirstAccepted.RunManyAsync(
            model, checks, new CheckedStrategies.FirstAccepted.Parameters { Tries = 4 }, new RunOptions(Seed: seed, Runs: runs));
        var rejected = accepted.Count(r => r.Output == "");
        var tokens = accepted.Sum(r => r.Spent.Tokens);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{CheckedStrategies.FirstAccepted.Name} ({CheckedStrategies.FirstAccepted.Guarantee}): {runs} runs, {runs - rejected} accepted, {tokens} tokens"));
        foreach (var group in accepted.Where(r => r.Output != "").GroupBy(r => r.Output).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(3))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key,-4} {group.Count() / (double)(runs - rejected):P1} of accepted runs"));
        }

        return 0;
    }

    private static void Print(string name, string guarantee, string? output, Spent spent) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} ({guarantee}): \"{output}\" ({spent.Tokens} tokens, {spent.ModelCalls} model calls, {spent.RewardCalls} reward calls)"));
}
