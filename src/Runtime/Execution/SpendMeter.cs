using System.Diagnostics;
using Tts.Runtime.Decoding;
using Tts.Semantics;

namespace Tts.Runtime.Execution;

/// <summary>
/// What each run of a batch has spent, and its budget. A sub-batch (repeat members, refine rounds) meters into its
/// parent: its runs map to parent runs, so a parent run's model calls count each batched step once however many of
/// its members took part. Budgets are checked after every step and every reward call; an overrun stops the batch
/// with an error naming the run.
/// </summary>
public sealed class SpendMeter : IStepMeter
{
    private readonly SpendMeter? _parent;
    private readonly int[]? _parentRun;
    private readonly long[] _tokens;
    private readonly long[] _calls;
    private readonly long[] _rewards;
    private readonly long[] _redrawnTokens;
    private readonly Dictionary<BudgetResource, long[]> _limits = new();
    private readonly Stopwatch _clock;
    private readonly int _firstRun;

    public SpendMeter(int runs, int firstRun = 0)
    {
        _tokens = new long[runs];
        _calls = new long[runs];
        _rewards = new long[runs];
        _redrawnTokens = new long[runs];
        _firstRun = firstRun;
        _clock = Stopwatch.StartNew();
    }

    private SpendMeter(SpendMeter parent, int[] parentRun)
        : this(parentRun.Length)
    {
        _parent = parent;
        _parentRun = parentRun;
    }

    public int Runs => _tokens.Length;

    /// <summary>A meter for a sub-batch whose run i belongs to this meter's run <paramref name="parentRun"/>[i].</summary>
    public SpendMeter Sub(int[] parentRun) => new(this, parentRun);

    /// <summary>Limits one resource per run (a strategy's <c>budget</c> clause, evaluated with the run's arguments).</summary>
    public void Limit(BudgetResource resource, long[] perRun) => _limits[resource] = perRun;

    public void Step(int[] liveRowsPerRun)
    {
        for (var run = 0; run < liveRowsPerRun.Length; run++)
        {
            if (liveRowsPerRun[run] > 0)
            {
                _tokens[run] += liveRowsPerRun[run];
                _calls[run]++;
            }
        }

        if (_parent is not null)
        {
            _parent.Step(Aggregate(liveRowsPerRun));
        }

        Check();
    }

    /// <summary>Counts reward, verifier or extractor evaluations per run.</summary>
    public void Rewards(int[] perRun)
    {
        for (var run = 0; run < perRun.Length; run++)
        {
            _rewards[run] += perRun[run];
        }

        _parent?.Rewards(Aggregate(perRun));
        Check();
    }

    /// <summary>One model call per run that has rows (a prefill, which generates no token).</summary>
    public void Call(int[] rowsPerRun)
    {
        for (var run = 0; run < rowsPerRun.Length; run++)
        {
            _calls[run] += rowsPerRun[run] > 0 ? 1 : 0;
        }

        _parent?.Call(Aggregate(rowsPerRun));
        Check();
    }

    /// <summary>
    /// Of the tokens already counted by <see cref="Step"/>, those a <c>reextend</c> redrew with its model (step speculation):
    /// the large model's share of the tokens.
    /// </summary>
    public void Redrawn(int[] tokensPerRun)
    {
        for (var run = 0; run < tokensPerRun.Length; run++)
        {
            _redrawnTokens[run] += tokensPerRun[run];
        }

        _parent?.Redrawn(Aggregate(tokensPerRun));
    }

    public Spent SpentBy(int run) => new(_tokens[run], _calls[run], _rewards[run], _clock.Elapsed.TotalSeconds, _redrawnTokens[run]);

    private int[] Aggregate(int[] perRun)
    {
        var result = new int[_parent!.Runs];
        for (var run = 0; run < perRun.Length; run++)
        {
            result[_parentRun![run]] += perRun[run];
        }

        return result;
    }

    private void Check()
    {
        foreach (var (resource, limits) in _limits)
        {
            var spent = resource switch { BudgetResource.Tokens => _tokens, BudgetResource.Calls => _calls, _ => _rewards };
            for (var run = 0; run < limits.Length; run++)
            {
                if (spent[run] > limits[run])
                {
                    throw new RuntimeException(
                        $"run {_firstRun + run} spent {spent[run]} {resource.ToString().ToLowerInvariant()}, over its budget {resource.ToString().ToLowerInvariant()} <= {limits[run]}");
                }
            }
        }
    }
}
